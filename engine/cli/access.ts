// npm run access -- [--teams] <stack>...   |   npm run access -- --docs
// Plans each stack offline and prints its access report: every subject's rights per namespace and every
// escalation path, each step with the rule that allows it (engine/access/). --teams shows only team
// subjects and step identities. --docs rewrites docs/teams.md's access section from every stack's plan.
// Exit 0: no forbidden path; 1: a forbidden path or an invalid plan; 2: bad usage.
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { accessReport } from "../access";
import { accessDocs, withAccessDocs } from "../access/docs";
import { formatAccessReport } from "../access/format";
import { planStack } from "../plan";
import { listStacks } from "../stack-file";

const USAGE = "usage: npm run access -- [--teams] <stack>... | --docs";

async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === "--docs") return writeDocs(resolve(__dirname, "../.."));
  const teamsOnly = argv.includes("--teams");
  const stacks = argv.filter((a) => a !== "--teams");
  if (stacks.length === 0 || stacks.some((s) => s.startsWith("-"))) {
    console.error(USAGE);
    return 2;
  }
  const root = resolve(__dirname, "../..");
  let failed = false;
  for (const stack of stacks) {
    const plan = await planStack(stack, { root, outDir: null, policyConfig: false });
    if (!plan.ok) {
      console.error(`access: ${stack} does not plan:\n${plan.problems.join("\n")}`);
      failed = true;
      continue;
    }
    const report = accessReport(plan.objects);
    console.log(`access: ${stack}\n${formatAccessReport(report, teamsOnly ? ["team subject", "step identity"] : undefined)}\n`);
    failed ||= report.forbidden.length > 0;
  }
  return failed ? 1 : 0;
}

async function writeDocs(root: string): Promise<number> {
  const reports = [];
  for (const stack of listStacks(root)) {
    const plan = await planStack(stack, { root, outDir: null, policyConfig: false });
    if (!plan.ok) {
      console.error(`access: ${stack} does not plan:\n${plan.problems.join("\n")}`);
      return 1;
    }
    reports.push({ stack, report: accessReport(plan.objects) });
  }
  const file = join(root, "docs/teams.md");
  writeFileSync(file, withAccessDocs(readFileSync(file, "utf8"), accessDocs(reports)));
  console.log("wrote docs/teams.md");
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(`access: internal error: ${e instanceof Error ? e.stack : String(e)}`);
    process.exit(1);
  },
);
