// npm run images -- <stack>...
// Prints every image the stacks pull (pipeline-time driver, launcher, executor and cache images and
// the GPU Operator's included), one per line as `pulled-reference<TAB>upstream-source`, for mirroring;
// the operator's driver, whose tag each node's OS completes, goes to stderr. Exit 1 on an
// invalid stack, 2 on bad usage.
// npm run images -- --sizes <stack> [--mbps N] [--registry HOST=URL]...
// With network: what a step waits for on a node that has none of its images, from the sizes the
// registries report (docs/images.md, "Step start").
// npm run images -- --resolve | --check [--lock FILE] [--registry HOST=URL]...
// With network: records each pinned tag's manifest digest in images.lock.json (--resolve), or reports
// every tag whose digest moved since (--check, exit 1), e.g. on a CI schedule.
import { resolve } from "node:path";
import { stackImages } from "../../modules/images/stack-images";
import { parseStackConfig } from "../../modules/config/parse";
import { imagesOf, perNodeImages } from "../images";
import { pullBytes } from "../registry";
import { pinnedReference } from "../../modules/images";
import { charts, images } from "../../modules/versions";
import { checkLock, resolveLock } from "../image-lock";
import { LOCK_FILE } from "../../modules/images/lock";
import { planStack } from "../plan";
import { loadStackFile } from "../stack-file";

async function run(stacks: string[]): Promise<number> {
  if (stacks[0] === "--resolve" || stacks[0] === "--check") return lockCommand(stacks);
  if (stacks[0] === "--sizes") return sizesCommand(stacks.slice(1));
  if (stacks.length === 0 || stacks.some((s) => s.startsWith("-"))) {
    console.error("usage: npm run images -- <stack>...");
    return 2;
  }
  const root = resolve(__dirname, "../..");
  for (const stack of stacks) {
    const plan = await planStack(stack, { root, outDir: null });
    if (!plan.ok) {
      console.error(plan.problems.join("\n"));
      return 1;
    }
    const file = loadStackFile(root, stack);
    const table = stackImages(parseStackConfig(file.config, file.file, file.secretKeys)).images.all();
    for (const ref of imagesOf(plan)) {
      const source = table.find((t) => t.ref === ref)?.source ?? "(not in modules/versions.ts)";
      console.log(`${ref}\t${source}`);
    }
    for (const ref of perNodeImages(plan)) {
      const upstream = `${charts.gpuOperator.driverRepository}:${ref.slice(ref.lastIndexOf(":") + 1)}-<node OS>`;
      console.error(`${stack}: also pulled: ${ref}-<node OS> (from ${upstream}), the GPU Operator's driver: it appends each GPU node's OS to the tag (e.g. -ubuntu24.04); copy one tag per OS your GPU nodes run`);
    }
  }
  return 0;
}

/** `--registry HOST=URL` pairs and other flags; undefined on bad usage. */
function parseFlags(args: string[], allowed: string[]): { overrides: Record<string, string>; flags: Record<string, string> } | undefined {
  const overrides: Record<string, string> = {};
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "--registry" && value?.includes("=")) overrides[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
    else if (allowed.includes(flag) && value) flags[flag] = value;
    else return undefined;
  }
  return { overrides, flags };
}

const MIB = 1024 * 1024;

async function sizesCommand(args: string[]): Promise<number> {
  const [stack, ...rest] = args;
  const parsed = parseFlags(rest, ["--mbps"]);
  const mbps = Number(parsed?.flags["--mbps"] ?? 100);
  if (!stack || stack.startsWith("-") || !parsed || !(mbps > 0)) {
    console.error("usage: npm run images -- --sizes <stack> [--mbps N] [--registry HOST=URL]...");
    return 2;
  }
  const root = resolve(__dirname, "../..");
  const file = loadStackFile(root, stack);
  const config = parseStackConfig(file.config, file.file, file.secretKeys);
  // Sizes come from upstream (anonymous pulls); a cache serves the same bytes.
  const step = (["kfpDriver", "kfpLauncher", "argoExec"] as const).map((name) => pinnedReference(images[name]));
  const kinds = { cpu: [...step, ...config.images.prepull.cpu], gpu: [...step, ...config.images.prepull.gpu] };
  const bytes = new Map<string, number>();
  for (const ref of new Set([...kinds.cpu, ...kinds.gpu])) {
    bytes.set(ref, await pullBytes(ref, undefined, parsed.overrides));
    console.log(`${(bytes.get(ref)! / MIB).toFixed(1).padStart(9)} MiB  ${ref}`);
  }
  for (const [kind, refs] of Object.entries(kinds)) {
    if (kind === "gpu" && config.images.prepull.gpu.length === 0) continue;
    const total = refs.reduce((sum, ref) => sum + bytes.get(ref)!, 0);
    console.log(
      `${kind} node: a step's first start waits for ${(total / MIB).toFixed(1)} MiB, ${(total / (mbps * 1e6)).toFixed(1)} s at ${mbps} MB/s plus unpacking; ` +
        `${config.images.prepull.enabled ? "0 with the pre-pull DaemonSet (already on the node)" : "the pre-pull DaemonSet is off"}`,
    );
  }
  return 0;
}

async function lockCommand(args: string[]): Promise<number> {
  const parsed = parseFlags(args.slice(1), ["--lock"]);
  if (!parsed) {
    console.error("usage: npm run images -- --resolve | --check [--lock FILE] [--registry HOST=URL]...");
    return 2;
  }
  const lock = parsed.flags["--lock"] ? resolve(parsed.flags["--lock"]) : LOCK_FILE;
  const { overrides } = parsed;
  if (args[0] === "--resolve") {
    for (const line of await resolveLock(lock, { overrides })) console.log(line);
    return 0;
  }
  const problems = await checkLock(lock, { overrides });
  for (const p of problems) console.log(p);
  return problems.length ? 1 : 0;
}

run(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
