// npm run facts -- refresh aws|gcp
// Rewrites modules/facts/tables/<cloud>.ts from the cloud's own list commands (the AWS CLI or gcloud,
// signed in to an account that sees the regions you use), stamped with today's date and the commands.
// Exit 0: table written; 1: the CLI is missing or a command failed (nothing written); 2: bad usage.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { rdsMysql } from "../../modules/versions";
import {
  AWS_COMMANDS,
  GCP_COMMANDS,
  parseAwsRegions,
  parseAwsZones,
  parseEc2Types,
  parseGceMachineTypes,
  parseGcpZones,
  parseRdsClasses,
  renderAwsTables,
  renderGcpTables,
} from "../facts-tables";

const USAGE = "usage: npm run facts -- refresh aws|gcp";
const root = resolve(__dirname, "../..");

class CommandFailed extends Error {}

function run(cli: string, args: string[]): string {
  try {
    return execFileSync(cli, args, { encoding: "utf8", maxBuffer: 512 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string };
    if (err.code === "ENOENT") throw new CommandFailed(`${cli} is not installed; install it and sign in (aws configure / gcloud auth login), then rerun`);
    throw new CommandFailed(`${cli} ${args.join(" ")} failed: ${(err.stderr ?? String(e)).trim().split("\n")[0]}`);
  }
}

const today = () => new Date().toISOString().slice(0, 10);

function refreshAws(): string {
  const regions = parseAwsRegions(run("aws", ["ec2", "describe-regions", "--all-regions", "--output", "json"]));
  const zones: Record<string, string> = {};
  for (const region of regions) {
    try {
      Object.assign(zones, parseAwsZones(run("aws", ["ec2", "describe-availability-zones", "--all-availability-zones", "--filters", "Name=zone-type,Values=availability-zone", "--region", region, "--output", "json"])));
    } catch (e) {
      // A region not enabled for the account answers nothing: its zones stay unchecked.
      if (!(e instanceof CommandFailed)) throw e;
    }
  }
  const ec2 = parseEc2Types(run("aws", ["ec2", "describe-instance-types", "--region", "us-east-1", "--output", "json"]));
  const rds = parseRdsClasses(run("aws", ["rds", "describe-orderable-db-instance-options", "--engine", "mysql", "--region", "us-east-1", "--output", "json"]), rdsMysql.engineVersion);
  return renderAwsTables({
    read: today(),
    sources: {
      regions: AWS_COMMANDS.regions,
      zones: AWS_COMMANDS.zones,
      ec2: `${AWS_COMMANDS.ec2} in us-east-1`,
      rdsMysql: `${AWS_COMMANDS.rdsMysql} in us-east-1, MySQL ${rdsMysql.engineVersion}`,
    },
    regions: Object.fromEntries(regions.map((r) => [r, zones[r] ?? ""])),
    ec2,
    rdsMysql: rds,
  });
}

function refreshGcp(): string {
  return renderGcpTables({
    read: today(),
    sources: { regions: GCP_COMMANDS.regions, machineTypes: GCP_COMMANDS.machineTypes },
    regions: parseGcpZones(run("gcloud", ["compute", "zones", "list", "--format=json"])),
    machineTypes: parseGceMachineTypes(run("gcloud", ["compute", "machine-types", "list", "--format=json"])),
  });
}

function main(argv: string[]): number {
  const [verb, cloud] = argv;
  if (verb !== "refresh" || (cloud !== "aws" && cloud !== "gcp") || argv.length !== 2) {
    console.error(USAGE);
    return 2;
  }
  try {
    const text = cloud === "aws" ? refreshAws() : refreshGcp();
    const file = join(root, "modules/facts/tables", `${cloud}.ts`);
    writeFileSync(file, text);
    console.log(`wrote modules/facts/tables/${cloud}.ts; review the diff, then run npm test`);
    return 0;
  } catch (e) {
    if (e instanceof CommandFailed) {
      console.error(`facts: ${e.message}; nothing written`);
      return 1;
    }
    throw e;
  }
}

process.exit(main(process.argv.slice(2)));
