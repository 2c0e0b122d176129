// The freshness check on recorded answers (test/fixtures/freshness, shapes from the APIs' docs): nothing
// to report while every pin is offered; a withdrawn pin, a newer AMI (and whether its driver is known) and
// Cloud SQL's mysql_native_password on 8.4 are reported, and the CLI's exit code opens the issue.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { FRESHNESS_MARKER, freshnessFindings, freshnessReport, opensIssue, type Offers } from "../engine/freshness";
import { cloudSqlMysql, eks, gke } from "../modules/versions";
import { REPO_ROOT, runCli } from "./helpers";

const DIR = join(REPO_ROOT, "test/fixtures/freshness");
/** The pins the answers were recorded with, and what they are in the table now. */
const RECORDED: [string, string][] = [
  ["v1.22.4-eksbuild.3", eks.addons["vpc-cni"]],
  ["1.35.6-20260714", eks.amiRelease.version],
  ["1.35.8-gke.1626001", gke.version],
  ['"clusterVersion": "1.35"', `"clusterVersion": "${eks.kubernetesVersion}"`],
];
type Any = any;

/** A recorded answer with the recorded pins replaced by the table's. */
function answer(file: string): Any {
  let text = readFileSync(join(DIR, file), "utf8");
  for (const [recorded, now] of RECORDED) text = text.split(recorded).join(now);
  return JSON.parse(text);
}

/** The world in which every pin is offered. */
function offered(): Offers {
  return {
    eksAddons: { "vpc-cni": answer("eks-addon-vpc-cni.json") },
    amiRecommended: { nvidia: answer("ssm-ami-nvidia.json") },
    gkeServerConfig: answer("gke-server-config.json"),
    rdsEngineVersions: answer("rds-engine-versions.json"),
    cloudSqlFlags: answer("cloudsql-flags.json"),
  };
}

const withAmi = (offers: Offers, release: string): Offers => {
  const a = structuredClone(offers.amiRecommended!.nvidia) as Any;
  a.Parameter.Value = JSON.stringify({ ...JSON.parse(a.Parameter.Value), release_version: release });
  return { ...offers, amiRecommended: { nvidia: a } };
};

describe("freshness check", () => {
  it("reports nothing that opens an issue while every pin is offered", () => {
    const findings = freshnessFindings(offered());
    assert.deepEqual(findings.filter(opensIssue), []);
    // What is worth knowing still shows: EKS's newer default add-on.
    assert.ok(findings.some((f) => f.pin === "eks.addons.vpc-cni" && f.kind === "note"), JSON.stringify(findings));
  });

  it("reports an add-on version EKS withdrew for the cluster's minor", () => {
    const offers = offered();
    const info = (offers.eksAddons!["vpc-cni"] as Any).addons[0];
    info.addonVersions = info.addonVersions.filter((v: Any) => v.addonVersion !== eks.addons["vpc-cni"]);
    const gone = freshnessFindings(offers).filter((f) => f.kind === "gone");
    assert.equal(gone.length, 1);
    assert.equal(gone[0].pin, "eks.addons.vpc-cni");
    assert.match(gone[0].message, new RegExp(`no longer offers vpc-cni ${eks.addons["vpc-cni"]} for Kubernetes ${eks.kubernetesVersion}`));
  });

  it("reports a newer NVIDIA AMI release, and says when its driver is not in the table yet", () => {
    const [patch, date] = eks.amiRelease.version.split("-");
    const later = `${patch}-${String(Number(date) + 1)}`; // a release the driver table cannot know
    const newer = freshnessFindings(withAmi(offered(), later)).filter((f) => f.pin === "eks.amiRelease");
    assert.equal(newer.length, 1);
    assert.equal(newer[0].kind, "newer");
    assert.match(newer[0].message, /driver is not in modules\/facts\/eks-nvidia-amis\.ts yet/);
    const older = `${patch}-${String(Number(date) - 1)}`;
    assert.deepEqual(freshnessFindings(withAmi(offered(), older)).filter((f) => f.pin === "eks.amiRelease"), []);
  });

  it("reports the GKE build a channel stopped offering, per channel the kit supports", () => {
    const offers = offered();
    const extended = (offers.gkeServerConfig as Any).channels.find((c: Any) => c.channel === "EXTENDED");
    extended.validVersions = extended.validVersions.filter((v: string) => v !== gke.version);
    const gone = freshnessFindings(offers).filter((f) => f.kind === "gone");
    assert.deepEqual(gone.map((f) => f.pin), ["gke.version"]);
    assert.match(gone[0].message, new RegExp(`EXTENDED channel no longer offers ${gke.version.replace(/\./g, "\\.")}`));
  });

  it("reports RDS and Cloud SQL versions withdrawn, and when Cloud SQL 8.4 offers mysql_native_password", () => {
    const offers = offered();
    (offers.rdsEngineVersions as Any).DBEngineVersions = (offers.rdsEngineVersions as Any).DBEngineVersions.filter((v: Any) => !v.EngineVersion.startsWith("8.4."));
    for (const flag of offers.cloudSqlFlags as Any[]) flag.appliesTo = flag.appliesTo.filter((v: string) => v !== cloudSqlMysql.databaseVersion);
    (offers.cloudSqlFlags as Any[]).push({ kind: "sql#flag", name: "mysql_native_password", type: "BOOLEAN", appliesTo: ["MYSQL_8_4"], requiresRestart: true });
    const findings = freshnessFindings(offers);
    assert.deepEqual(findings.filter((f) => f.kind === "gone").map((f) => f.pin).sort(), ["cloudSqlMysql.databaseVersion", "rdsMysql.engineVersion"]);
    assert.ok(findings.some((f) => f.kind === "newer" && /MYSQL_8_4 offers flag mysql_native_password/.test(f.message)));
  });

  it("the CLI exits 3 with the issue body when something opens the issue, 0 otherwise, and lists what it did not ask", () => {
    const write = (offers: Offers) => {
      const dir = mkdtempSync(join(tmpdir(), "freshness-"));
      writeFileSync(join(dir, "eks-addon-vpc-cni.json"), JSON.stringify(offers.eksAddons!["vpc-cni"]));
      writeFileSync(join(dir, "ssm-ami-nvidia.json"), JSON.stringify(offers.amiRecommended!.nvidia));
      writeFileSync(join(dir, "gke-server-config.json"), JSON.stringify(offers.gkeServerConfig));
      writeFileSync(join(dir, "rds-engine-versions.json"), JSON.stringify(offers.rdsEngineVersions));
      writeFileSync(join(dir, "cloudsql-flags.json"), JSON.stringify(offers.cloudSqlFlags));
      return dir;
    };
    const quiet = runCli("freshness", [write(offered())]);
    assert.equal(quiet.status, 0, quiet.stderr);
    assert.ok(quiet.stdout.startsWith(FRESHNESS_MARKER));
    assert.match(quiet.stdout, /Not asked \(no credentials configured\): EKS add-on coredns, .*EKS AL2023 standard AMI/);
    const [patch, date] = eks.amiRelease.version.split("-");
    const dir = write(withAmi(offered(), `${patch}-${String(Number(date) + 1)}`));
    const body = join(dir, "body.md");
    const loud = runCli("freshness", [dir, "--body", body]);
    assert.equal(loud.status, 3, loud.stderr);
    assert.match(readFileSync(body, "utf8"), /### Newer releases\n\n- `eks\.amiRelease`: EKS recommends AL2023 nvidia AMI release/);
    writeFileSync(join(dir, "gke-server-config.json"), "{ not json");
    const broken = runCli("freshness", [dir]);
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /gke-server-config\.json: not the JSON the CLI prints/);
    assert.equal(runCli("freshness", []).status, 2);
  });

  it("every recorded answer is read by a test, and the report starts with the marker the workflow finds", () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
    const source = readFileSync(__filename, "utf8");
    for (const f of files) assert.ok(source.includes(`"${f}"`), f);
    assert.ok(freshnessReport([], [], []).startsWith(FRESHNESS_MARKER));
  });
});
