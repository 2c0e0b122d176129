// npm run plan -- [--preview] [--verbose] [--policy-config dev|staging|prod|FILE] [--out DIR] [--root DIR] [stack...]
// Plans the named stacks (every stack when none is named) offline and writes out/<stack>/.
// Exit 0: every stack valid; 1: invalid config or a failed check; 2: bad usage.
import { resolve } from "node:path";
import { planStack } from "../plan";
import { listStacks } from "../stack-file";
import { formatSummary } from "../summary";

const USAGE = "usage: npm run plan -- [--preview] [--verbose] [--policy-config dev|staging|prod|FILE] [--out DIR] [--root DIR] [stack...]";

async function run(argv: string[]): Promise<number> {
  let root = resolve(__dirname, "../..");
  let preview = false;
  let verbose = false;
  let outDir: string | undefined;
  let policyConfig: string | undefined;
  const stacks: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--preview") preview = true;
    else if (arg === "--verbose") verbose = true;
    else if (arg === "--out" && argv[i + 1]) outDir = resolve(argv[++i]);
    else if (arg === "--root" && argv[i + 1]) root = resolve(argv[++i]);
    else if (arg === "--policy-config" && argv[i + 1]) policyConfig = argv[++i];
    else if (arg === "-h" || arg === "--help") {
      console.log(USAGE);
      return 0;
    } else if (arg.startsWith("-")) {
      console.error(`plan: unknown option ${arg}\n${USAGE}`);
      return 2;
    } else stacks.push(arg);
  }
  const targets = stacks.length > 0 ? stacks : listStacks(root);
  if (targets.length === 0) {
    console.error("plan: no stack files in stacks/");
    return 1;
  }
  let failed = false;
  for (const stack of targets) {
    // The policy config defaults to the one named by the stack's kfp-platform:environment.
    const plan = await planStack(stack, { root, outDir, preview, policyConfig });
    console.log(formatSummary(plan, { verbose }));
    if (plan.ok) console.log(`  wrote ${outDir ?? "out"}/${stack}/resources.json and manifests.yaml`);
    failed ||= !plan.ok;
  }
  return failed ? 1 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`plan: internal error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
