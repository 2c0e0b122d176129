// npm run freshness -- --questions
// Prints what the workflow asks about, as KEY=VALUE lines for $GITHUB_OUTPUT: the EKS minor and add-ons.
// npm run freshness -- <answers-dir> [--body FILE]
// Reads what the freshness workflow asked AWS and Google (JSON files in <answers-dir>, named by ANSWER_FILES in engine/freshness.ts; a
// missing file was not asked), compares it with modules/versions.ts (engine/freshness.ts) and prints the
// issue body (or writes it to FILE). Exit 0: nothing to report; 3: a pin is no longer offered or a newer
// AMI or driver exists (the workflow opens or updates its issue); 1: an unreadable answer; 2: bad usage.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { eks } from "../../modules/versions";
import { ANSWER_FILES, freshnessFindings, freshnessReport, opensIssue, type Offers } from "../freshness";

const USAGE = "usage: npm run freshness -- --questions | <answers-dir> [--body FILE]";

function run(argv: string[]): number {
  if (argv.length === 1 && argv[0] === "--questions") {
    console.log(`eks_minor=${eks.kubernetesVersion}\neks_addons=${Object.keys(eks.addons).join(" ")}`);
    return 0;
  }
  const [dir, ...rest] = argv;
  if (!dir || dir.startsWith("-") || (rest.length > 0 && (rest[0] !== "--body" || rest.length !== 2))) {
    console.error(USAGE);
    return 2;
  }
  const asked: string[] = [];
  const notAsked: string[] = [];
  const read = (file: string, what: string): unknown => {
    const path = join(dir, file);
    if (!existsSync(path)) {
      notAsked.push(what);
      return undefined;
    }
    asked.push(what);
    try {
      return JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new Error(`${path}: not the JSON the CLI prints (${(e as Error).message}); rerun the question that wrote it`);
    }
  };
  const offers: Offers = {
    eksAddons: Object.fromEntries(
      Object.keys(eks.addons).flatMap((addon) => {
        const answer = read(ANSWER_FILES.eksAddon(addon), `EKS add-on ${addon}`);
        return answer === undefined ? [] : [[addon, answer]];
      }),
    ),
    amiRecommended: { standard: read(ANSWER_FILES.ami("standard"), "EKS AL2023 standard AMI"), nvidia: read(ANSWER_FILES.ami("nvidia"), "EKS AL2023 NVIDIA AMI") },
    gkeServerConfig: read(ANSWER_FILES.gkeServerConfig, "GKE server config"),
    rdsEngineVersions: read(ANSWER_FILES.rdsEngineVersions, "RDS MySQL engine versions"),
    cloudSqlFlags: read(ANSWER_FILES.cloudSqlFlags, "Cloud SQL flags"),
  };
  const findings = freshnessFindings(offers);
  const body = freshnessReport(findings, asked, notAsked);
  if (rest[0] === "--body") writeFileSync(rest[1], `${body}\n`);
  else console.log(body);
  return findings.some(opensIssue) ? 3 : 0;
}

try {
  process.exit(run(process.argv.slice(2)));
} catch (e) {
  console.error(`freshness: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
