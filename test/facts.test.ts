// The dated cloud tables (modules/facts/tables/): the parsers of the clouds' list commands on output
// recorded in the shape the AWS CLI and gcloud document, the writer reproducing the committed tables
// exactly (so they are what `npm run facts -- refresh` writes), the lookups the config schema asks, and
// the refresh command failing cleanly without the cloud CLIs.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { spawnSync } from "node:child_process";
import { parseAwsRegions, parseAwsZones, parseEc2Types, parseGceMachineTypes, parseGcpZones, parseRdsClasses, renderAwsTables, renderGcpTables } from "../engine/facts-tables";
import { AWS_TABLES } from "../modules/facts/tables/aws";
import { GCP_TABLES } from "../modules/facts/tables/gcp";
import { awsZoneProblem, ec2TypeProblem, gceMachineTypeProblem, gcpRegionProblem, rdsClassProblem } from "../modules/facts/offerings";
import { REPO_ROOT } from "./helpers";

// aws ec2 describe-regions --all-regions --output json (EC2 API reference, DescribeRegions response).
const REGIONS = JSON.stringify({
  Regions: [
    { Endpoint: "ec2.eu-west-1.amazonaws.com", RegionName: "eu-west-1", OptInStatus: "opt-in-not-required" },
    { Endpoint: "ec2.af-south-1.amazonaws.com", RegionName: "af-south-1", OptInStatus: "not-opted-in" },
  ],
});
// aws ec2 describe-availability-zones --all-availability-zones (DescribeAvailabilityZones: a Local Zone beside the AZs).
const ZONES = JSON.stringify({
  AvailabilityZones: [
    { State: "available", RegionName: "us-west-2", ZoneName: "us-west-2b", ZoneId: "usw2-az1", ZoneType: "availability-zone", GroupName: "us-west-2" },
    { State: "available", RegionName: "us-west-2", ZoneName: "us-west-2a", ZoneId: "usw2-az2", ZoneType: "availability-zone", GroupName: "us-west-2" },
    { State: "available", RegionName: "us-west-2", ZoneName: "us-west-2-lax-1a", ZoneId: "usw2-lax1-az1", ZoneType: "local-zone", GroupName: "us-west-2-lax-1" },
  ],
});
// aws ec2 describe-instance-types (DescribeInstanceTypes: InstanceTypeInfo, other fields left out).
const TYPES = JSON.stringify({ InstanceTypes: ["m6i.2xlarge", "m6i.large", "m6i.metal", "g5.xlarge", "m6i.xlarge"].map((t) => ({ InstanceType: t, CurrentGeneration: true })) });
// aws rds describe-orderable-db-instance-options --engine mysql (OrderableDBInstanceOption).
const RDS = JSON.stringify({
  OrderableDBInstanceOptions: [
    { Engine: "mysql", EngineVersion: "8.4.6", DBInstanceClass: "db.m7g.large", MultiAZCapable: true },
    { Engine: "mysql", EngineVersion: "8.4.6", DBInstanceClass: "db.t4g.medium", MultiAZCapable: true },
    { Engine: "mysql", EngineVersion: "8.0.42", DBInstanceClass: "db.t2.micro", MultiAZCapable: true },
    { Engine: "mysql", EngineVersion: "8.40.1", DBInstanceClass: "db.z9.large", MultiAZCapable: true },
  ],
});
// gcloud compute zones list --format=json (Compute API zones resource) and machine-types list (one entry per zone).
const GCP_ZONES = JSON.stringify([
  { name: "europe-west4-b", region: "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west4", status: "UP" },
  { name: "europe-west4-a", region: "https://www.googleapis.com/compute/v1/projects/p/regions/europe-west4", status: "UP" },
  { name: "us-central1-f", region: "https://www.googleapis.com/compute/v1/projects/p/regions/us-central1", status: "UP" },
]);
const MACHINES = JSON.stringify([
  { name: "n2-standard-8", zone: "europe-west4-a", guestCpus: 8, memoryMb: 32768 },
  { name: "n2-standard-8", zone: "europe-west4-b", guestCpus: 8, memoryMb: 32768 },
  { name: "n2-standard-16", zone: "europe-west4-a", guestCpus: 16, memoryMb: 65536 },
  { name: "e2-micro", zone: "europe-west4-a", guestCpus: 2, memoryMb: 1024 },
  { name: "a2-highgpu-1g", zone: "europe-west4-a", guestCpus: 12, memoryMb: 87040 },
]);

describe("cloud facts tables", () => {
  it("parse the clouds' list commands", () => {
    assert.deepEqual(parseAwsRegions(REGIONS), ["af-south-1", "eu-west-1"]);
    assert.deepEqual(parseAwsZones(ZONES), { "us-west-2": "a b" }, "Local Zones are not availability zones");
    assert.deepEqual(parseEc2Types(TYPES), { g5: "xlarge", m6i: "large xlarge 2xlarge metal" });
    assert.deepEqual(parseRdsClasses(RDS, "8.4"), { m7g: "large", t4g: "medium" }, "only the kit's MySQL major (8.40 is not 8.4)");
    assert.deepEqual(parseGcpZones(GCP_ZONES), { "europe-west4": "a b", "us-central1": "f" });
    assert.deepEqual(parseGceMachineTypes(MACHINES), { "a2-highgpu": "1g", e2: "micro", "n2-standard": "8 16" });
    assert.throws(() => parseAwsRegions("An error occurred (AuthFailure)"), /describe-regions: expected the command's JSON output/);
  });

  it("are exactly what the writer writes, so a refresh rewrites them whole", () => {
    const file = (cloud: string) => readFileSync(join(REPO_ROOT, "modules/facts/tables", `${cloud}.ts`), "utf8");
    assert.equal(renderAwsTables(AWS_TABLES as any), file("aws"));
    assert.equal(renderGcpTables(GCP_TABLES as any), file("gcp"));
    for (const t of [AWS_TABLES, GCP_TABLES]) {
      assert.match(t.read, /^\d{4}-\d{2}-\d{2}$/);
      for (const [what, source] of Object.entries(t.sources)) assert.ok(source.length > 20, `${what} has a source`);
    }
  });

  it("answer the schema's questions, with a near name and the refresh command", () => {
    assert.equal(ec2TypeProblem("m6i.xlarge"), undefined);
    assert.match(ec2TypeProblem("m6i.xlarg")!, /m6i comes in .*\(did you mean 'xlarge'\?\)/);
    assert.match(ec2TypeProblem("m9z.large")!, /no family m9z.*npm run facts -- refresh aws/);
    assert.equal(rdsClassProblem("db.m7g.large"), undefined);
    assert.match(rdsClassProblem("db.m7g.medium")!, /db\.m7g comes in large/);
    assert.equal(awsZoneProblem("us-east-1f", "us-east-1"), undefined);
    assert.equal(awsZoneProblem("ap-south-1c", "ap-south-1"), undefined, "a region whose zones are not recorded goes unchecked");
    assert.match(awsZoneProblem("eu-west-1-lax-1a", "eu-west-1")!, /is not a zone of region eu-west-1/);
    assert.equal(gcpRegionProblem("us-central1"), undefined);
    assert.equal(gceMachineTypeProblem("n2-custom-8-32768"), undefined, "custom machine types follow their own rule");
    assert.match(gceMachineTypeProblem("n2-standard-17")!, /n2-standard comes in/);
    assert.equal(gceMachineTypeProblem("c4-standard-288-lssd-metal"), undefined, "local-SSD and bare-metal shapes group under their series");
    assert.equal(gceMachineTypeProblem("e2-medium"), undefined);
    assert.match(gceMachineTypeProblem("e2-standrd-8")!, /is not a Compute Engine machine type the kit knows \(did you mean 'e2-standard-8'\?\)/);
    assert.equal(gcpRegionProblem("europe-north2"), undefined, "opened 2025-03-04");
  });

  it("refresh fails cleanly, writing nothing, when the cloud CLI is missing", () => {
    const before = readFileSync(join(REPO_ROOT, "modules/facts/tables/aws.ts"), "utf8");
    const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "engine/cli/facts.ts"), "refresh", "aws"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      env: { ...process.env, PATH: dirname(process.execPath) },
    });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^facts: aws is not installed; install it and sign in .*nothing written\n$/);
    assert.equal(readFileSync(join(REPO_ROOT, "modules/facts/tables/aws.ts"), "utf8"), before);
    const usage = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "engine/cli/facts.ts"), "refresh", "azure"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(usage.status, 2);
  });
});
