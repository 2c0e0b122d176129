// npm run diff -- <base-rev> [--head <rev>] [stack...]
// Plans the stacks at <base-rev> and at <head-rev> (default: the working tree), each with its own code,
// and prints a Markdown summary of the differences for a pull-request comment. Exit 0 when the new plans
// ran (whatever the differences; a base plan that failed is shown with its error), 1 when a new plan
// failed, 2 on bad usage.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { diffPlans, formatDiff, type PlannedResource } from "../plan-diff";
import { listStacks } from "../stack-file";

const root = resolve(__dirname, "../..");
const USAGE = "usage: npm run diff -- <base-rev> [--head <rev>] [stack...]";

function git(args: string[], cwd = root): string {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Checks out `rev` beside the repo (sharing node_modules) and returns its root and a cleanup. */
function checkout(rev: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "kfp-diff-"));
  git(["worktree", "add", "--detach", dir, rev]);
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return { dir, cleanup: () => git(["worktree", "remove", "--force", dir]) };
}

/** Runs a tree's own plan CLI; returns resources per stack, or the failure output. */
function plan(tree: string, stacks: string[]): { ok: boolean; output: string; resources: Map<string, PlannedResource[]> } {
  const out = mkdtempSync(join(tmpdir(), "kfp-diff-out-"));
  const r = spawnSync(process.execPath, ["--import", "tsx", join(tree, "engine/cli/plan.ts"), "--out", out, ...stacks], { cwd: tree, encoding: "utf8" });
  const resources = new Map<string, PlannedResource[]>();
  for (const stack of stacks) {
    const file = join(out, stack, "resources.json");
    if (existsSync(file)) resources.set(stack, JSON.parse(readFileSync(file, "utf8")));
  }
  rmSync(out, { recursive: true, force: true });
  return { ok: r.status === 0, output: r.stdout + r.stderr, resources };
}

/**
 * Why a stack has no plan at the base revision: the stack did not exist there (everything is new), or
 * its plan failed, whose error the reviewer must see rather than a list of creations.
 */
function baseMissing(stack: string, base: string, before: ReturnType<typeof plan>, baseDir: string): string {
  if (!existsSync(join(baseDir, "stacks", `Pulumi.${stack}.yaml`))) return `### Stack \`${stack}\`: new at this revision (no stack file at ${base}): everything is created`;
  return [
    `### Stack \`${stack}\`: the plan at the base revision ${base} FAILED, so there is nothing to compare with`,
    "",
    "```",
    planSection(before.output, stack).trim(),
    "```",
  ].join("\n");
}

/** The part of a multi-stack plan's output that concerns `stack` (the whole output when it cannot tell). */
function planSection(output: string, stack: string): string {
  const start = output.search(new RegExp(`^stack ${stack}:`, "m"));
  if (start < 0) return output;
  let rest = output.slice(start);
  const next = rest.slice(1).search(/^stack \S+:/m);
  if (next >= 0) rest = rest.slice(0, next + 1);
  // A failed check lists its problems after "result: FAILED"; the resource counts before it are noise.
  const failed = rest.search(/^ {2}result: FAILED/m);
  return failed < 0 ? rest : `${rest.split("\n")[0]}\n${rest.slice(failed)}`;
}

function run(argv: string[]): number {
  const [base, ...rest] = argv;
  if (!base || base.startsWith("-")) {
    console.error(USAGE);
    return 2;
  }
  let head: string | undefined;
  const stacks: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--head" && rest[i + 1]) head = rest[++i];
    else if (rest[i].startsWith("-")) {
      console.error(`diff: unknown option ${rest[i]}\n${USAGE}`);
      return 2;
    } else stacks.push(rest[i]);
  }
  git(["rev-parse", "--verify", `${base}^{commit}`]);
  const baseTree = checkout(base);
  const headTree = head ? checkout(head) : { dir: root, cleanup: () => undefined };
  try {
    const names = stacks.length > 0 ? stacks : listStacks(headTree.dir);
    const before = plan(baseTree.dir, names);
    const after = plan(headTree.dir, names);
    console.log(`## Offline plan diff: ${base} → ${head ?? "working tree"}\n`);
    for (const stack of names) {
      const b = before.resources.get(stack);
      const a = after.resources.get(stack);
      if (!a) console.log(`### Stack \`${stack}\`: the new plan FAILED\n\n\`\`\`\n${after.output.trim()}\n\`\`\``);
      else console.log(b ? formatDiff(stack, diffPlans(b, a)) : baseMissing(stack, base, before, baseTree.dir));
      console.log("");
    }
    return after.ok ? 0 : 1;
  } finally {
    baseTree.cleanup();
    headTree.cleanup();
  }
}

try {
  process.exit(run(process.argv.slice(2)));
} catch (e) {
  console.error(`diff: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
