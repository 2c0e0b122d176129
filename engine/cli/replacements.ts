// npm run replacements -- [--check] [--source <owner/repo>=<checkout>]...
// Writes engine/replacements/table.json for every resource type any stack plans (see
// engine/replacements/table.ts). --source re-reads a Terraform provider checkout (terraform-provider-
// google, -random, -tls) into engine/replacements/terraform-forcenew.json first. --check writes nothing
// and exits 1 when the checked-in table differs from a fresh build.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { planStack } from "../plan";
import { buildTable, loadSnapshot, SNAPSHOT_FILE, TABLE_FILE } from "../replacements/table";
import { readTerraformSources } from "../replacements/terraform-sources";
import { listStacks } from "../stack-file";

const root = resolve(__dirname, "../..");
const USAGE = "usage: npm run replacements -- [--check] [--source <owner/repo>=<checkout>]...";

/** Every custom resource type the stacks plan (components excepted). */
export async function plannedTypes(projectRoot = root): Promise<string[]> {
  const types = new Set<string>();
  for (const stack of listStacks(projectRoot)) {
    const plan = await planStack(stack, { root: projectRoot, outDir: null, policyConfig: false });
    if (plan.configInvalid) throw new Error(`stack ${stack}: ${plan.problems.join("; ")}`);
    for (const r of plan.resources) if (r.custom) types.add(r.type);
  }
  return [...types].sort();
}

async function run(argv: string[]): Promise<number> {
  let check = false;
  const sources: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") check = true;
    else if (argv[i] === "--source" && argv[i + 1]?.includes("=")) {
      const [repo, dir] = argv[++i].split("=");
      sources.push([repo, resolve(dir)]);
    } else {
      console.error(USAGE);
      return 2;
    }
  }
  const snapshot = loadSnapshot();
  for (const [repo, dir] of sources) {
    const git = (...args: string[]) => spawnSync("git", args, { cwd: dir, encoding: "utf8" }).stdout.trim();
    const commit = git("rev-parse", "HEAD") || "unknown";
    // A bare mirror has no files to read: export its HEAD to a temporary directory first.
    const bare = git("rev-parse", "--is-bare-repository") === "true";
    const tree = bare ? mkdtempSync(join(tmpdir(), "kfp-tf-")) : dir;
    if (bare) spawnSync("sh", ["-c", `git -C '${dir}' archive HEAD | tar -x -C '${tree}'`], { stdio: "inherit" });
    try {
      snapshot[repo] = { commit, read: new Date().toISOString().slice(0, 10), types: readTerraformSources(repo, tree) };
    } finally {
      if (bare) rmSync(tree, { recursive: true, force: true });
    }
  }
  if (sources.length > 0 && !check) writeFileSync(SNAPSHOT_FILE, `${JSON.stringify(snapshot, null, 1)}\n`);
  const table = `${JSON.stringify(buildTable(root, await plannedTypes(), snapshot), null, 1)}\n`;
  if (check) {
    const same = readFileSync(TABLE_FILE, "utf8") === table;
    console.log(same ? "replacements: table.json is current" : "replacements: table.json is stale; run npm run replacements");
    return same ? 0 : 1;
  }
  writeFileSync(TABLE_FILE, table);
  const entries = Object.values(JSON.parse(table).types) as { complete: boolean }[];
  console.log(`replacements: wrote ${TABLE_FILE} (${entries.length} types, ${entries.filter((e) => !e.complete).length} whose provider rules are not read yet)`);
  return 0;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`replacements: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
