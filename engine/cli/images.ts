// npm run images -- <stack>...
// Prints every image the stacks pull (pipeline-time driver, launcher, executor and cache images
// included), one per line as `pulled-reference<TAB>upstream-source`, for mirroring. Exit 1 on an
// invalid stack, 2 on bad usage.
// npm run images -- --resolve | --check [--lock FILE] [--registry HOST=URL]...
// With network: records each pinned tag's manifest digest in images.lock.json (--resolve), or reports
// every tag whose digest moved since (--check, exit 1), e.g. on a CI schedule.
import { resolve } from "node:path";
import { ImageResolver } from "../../modules/images";
import { parseStackConfig } from "../../modules/config/parse";
import { imagesOf } from "../images";
import { checkLock, resolveLock } from "../image-lock";
import { LOCK_FILE } from "../../modules/images-lock";
import { planStack } from "../plan";
import { loadStackFile } from "../stack-file";

async function run(stacks: string[]): Promise<number> {
  if (stacks[0] === "--resolve" || stacks[0] === "--check") return lockCommand(stacks);
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
    const table = new ImageResolver(parseStackConfig(file.config, file.file).images).all();
    for (const ref of imagesOf(plan)) {
      const source = table.find((t) => t.ref === ref)?.source ?? "(not in modules/versions.ts)";
      console.log(`${ref}\t${source}`);
    }
  }
  return 0;
}

async function lockCommand(args: string[]): Promise<number> {
  let lock = LOCK_FILE;
  const overrides: Record<string, string> = {};
  for (let i = 1; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === "--lock" && value) lock = resolve(value);
    else if (flag === "--registry" && value?.includes("=")) overrides[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);
    else {
      console.error("usage: npm run images -- --resolve | --check [--lock FILE] [--registry HOST=URL]...");
      return 2;
    }
  }
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
