// The plan summary a reviewer reads: names grouped by component, protected resources, what is reachable
// from outside and by whom, a cost range from the dated price table, advisory findings collapsed; and
// the price-API parsers on recorded responses shaped as the APIs document them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { costItems, costLines, estimate, itemKeys, loadPrices, type PriceTable } from "../engine/cost/estimate";
import { awsOnDemandHourly, gceMachineHourly, gceShape, googleSkuPrices, singleHourlyPrice } from "../engine/cost/price-list";
import { FIXED_GPU_MACHINES } from "../modules/facts/gce-machine-types";
import type { RecordedResource } from "../engine/harness";
import { planStack } from "../engine/plan";
import { endpointLines } from "../engine/review/endpoints";
import { formatSummary } from "../engine/summary";
import { REPO_ROOT } from "./helpers";

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, "fixtures/prices", name), "utf8"));
const resource = (type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource =>
  ({ urn: `urn:pulumi:s::p::${type}::${name}`, type, name, custom: true, remote: false, parent: null, provider: null, dependsOn: [], propertyDependencies: {}, protect: false, ignoreChanges: [], additionalSecretOutputs: [], inputs, outputs: {}, wireInputs: {}, wireOutputs: {}, ...extra }) as RecordedResource;

const testPrices = (usdPerHour: Record<string, number>): PriceTable => ({
  comment: "test",
  hoursPerMonth: 730,
  prices: Object.fromEntries(Object.entries(usdPerHour).map(([key, usd]) => [key, { usdPerHour: usd, source: "test", read: "2026-12-07" }])),
});

describe("plan summary for reviewers", () => {
  it("shows aws-prod's names, protected resources, endpoints and a cost range, advisories collapsed", { timeout: 120_000 }, async () => {
    const plan = await planStack("aws-prod", { root: REPO_ROOT, outDir: null });
    assert.ok(plan.ok, plan.problems.join("\n"));
    const text = formatSummary(plan);
    const groups = plan.resources.filter((r) => r.type === "aws:eks/nodeGroup:NodeGroup");
    assert.match(text, new RegExp(`\\n      NodeGroup ×${groups.length}: ${groups.map((g) => g.name.replace(/^platform-/, "")).slice(0, 4).join(", ")}`));
    assert.match(text, /\n  creates \d+ resources .*\n {4}backup \(DatabaseBackup\): \d+\n/);
    for (const r of plan.resources.filter((x) => x.protect && x.custom)) assert.ok(text.includes(`${r.type.split(":").pop()} ${r.name}`), `protected ${r.name} listed`);
    const cluster = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.aws-prod.yaml"), "utf8")).config["kfp-platform:cluster"];
    assert.match(text, new RegExp(`EKS API ${cluster.name}: public endpoint, reachable from ${cluster.publicAccessCidrs.join(", ").replace(/[./]/g, "\\$&")}\\n`));
    const cost = estimate(plan.resources);
    assert.ok(cost.priced.length >= 5, "the EKS fee, the NAT gateway and the CPU and L4/A10G node groups are priced");
    assert.match(text, new RegExp(`\\n  cost: \\$[\\d,]+–\\$[\\d,]+ per month at minimum–maximum node counts \\(on-demand list prices, 730 h/month; ${cost.priced.length} of ${cost.priced.length + cost.unpriced.length} billed items priced\\)`));
    if (cost.unpriced.length > 0) {
      assert.match(text, /: a lower bound, not an estimate, until the rest are priced\n {4}not in the price table/);
      for (const u of cost.unpriced) assert.ok(text.includes(u.what), `unpriced ${u.what} named`);
    }
    assert.match(text, /\n {4}prices: engine\/cost\/prices\.json, as of \d{4}-\d\d-\d\d/);
    const advisories = plan.policy?.diagnostics.filter((d) => d.level === "advisory") ?? [];
    assert.ok(advisories.length > 10, "aws-prod has digest advisories to collapse");
    assert.doesNotMatch(text, /\n {4}advisory image-digests: urn:/);
    assert.match(text, new RegExp(`\\n {4}advisory image-digests: ${advisories.filter((d) => d.policy === "image-digests").length} findings \\(--verbose lists them\\)`));
    const verbose = formatSummary(plan, { verbose: true });
    assert.equal(verbose.split("\n").filter((l) => /^ {4}advisory \S+: urn:/.test(l)).length, advisories.length);
  });

  it("names what anyone may reach: a default EKS endpoint, a LoadBalancer, a public database", () => {
    const lines = endpointLines([
      resource("aws:eks/cluster:Cluster", "eks", { name: "c", vpcConfig: { subnetIds: [] } }),
      resource("kubernetes:core/v1:Service", "ui", { metadata: { name: "ui", namespace: "kubeflow" }, spec: { type: "LoadBalancer" } }),
      resource("aws:rds/instance:Instance", "db", { identifier: "db", publiclyAccessible: true }),
      resource("aws:s3/bucket:Bucket", "b", { bucket: "open" }),
    ]).join("\n");
    assert.match(lines, /EKS API c: public endpoint, reachable from ANYONE \(0\.0\.0\.0\/0\)/, "EKS defaults publicAccessCidrs to 0.0.0.0/0");
    assert.match(lines, /Service kubeflow\/ui: LoadBalancer, reachable from ANYONE/);
    assert.match(lines, /RDS db: PUBLICLY ACCESSIBLE/);
    assert.match(lines, /S3 bucket open: no public access block/);
  });

  it("prices node groups at their minimum with the cheapest type and at their maximum with the dearest", () => {
    const provider = resource("pulumi:providers:aws", "aws", { region: "eu-west-1" });
    const group = resource("aws:eks/nodeGroup:NodeGroup", "gpu", { nodeGroupName: "gpu", instanceTypes: ["x.small", "x.large"], scalingConfig: { minSize: 1, maxSize: 4 } }, { provider: provider.urn });
    const unpriced = resource("aws:eks/nodeGroup:NodeGroup", "cpu", { nodeGroupName: "cpu", instanceTypes: ["y.medium"], scalingConfig: { minSize: 2, maxSize: 3 } }, { provider: provider.urn });
    const table = testPrices({ "aws:ec2:eu-west-1:x.small": 1, "aws:ec2:eu-west-1:x.large": 3 });
    const e = estimate([provider, group, unpriced], table);
    assert.equal(e.min, 1 * 1 * 730);
    assert.equal(e.max, 4 * 3 * 730);
    assert.deepEqual(e.unpriced.map(itemKeys), [["aws:ec2:eu-west-1:y.medium"]]);
    assert.deepEqual(costItems([provider, group]).map(itemKeys), [["aws:ec2:eu-west-1:x.small", "aws:ec2:eu-west-1:x.large"]], "the region is the provider's");
  });

  it("prices a Cloud SQL custom tier as its vCPUs plus its memory at the regional rates, other tiers by name", () => {
    const sql = (tier: string, availabilityType: string) => resource("gcp:sql/databaseInstance:DatabaseInstance", `db-${tier}`, { name: "db", region: "europe-west4", settings: { tier, availabilityType } });
    const table = testPrices({ "gcp:sql:europe-west4:vcpu:regional": 0.1, "gcp:sql:europe-west4:ram-gib:regional": 0.01 });
    const e = estimate([sql("db-custom-4-15360", "REGIONAL"), sql("db-custom-2-7680", "ZONAL"), sql("db-f1-micro", "REGIONAL")], table);
    assert.equal(Math.round(e.min * 100) / 100, Math.round((4 * 0.1 + 15 * 0.01) * 730 * 100) / 100, "4 vCPUs and 15 GiB at the regional rates");
    assert.deepEqual(e.unpriced.map(itemKeys), [["gcp:sql:europe-west4:vcpu:zonal", "gcp:sql:europe-west4:ram-gib:zonal"], ["gcp:sql:europe-west4:db-f1-micro:regional"]]);
  });

  it("calls a fully priced stack's range an estimate, dated by its prices", { timeout: 120_000 }, async () => {
    const plan = await planStack("gcp-dev", { root: REPO_ROOT, outDir: null, policyConfig: false });
    const lines = costLines(plan.resources, false).join("\n");
    assert.match(lines, /^ {2}cost: \$[\d,]+–\$[\d,]+ per month at minimum–maximum node counts \(on-demand list prices, 730 h\/month; (\d+) of \1 billed items priced\)$/m);
    assert.doesNotMatch(lines, /lower bound|not in the price table/);
    assert.match(lines, /prices: engine\/cost\/prices\.json, as of 2025-03-06, 2026-12-07/, "the GCE prices carry their source's date");
  });

  it("cites every price: a source, the day it was read, and no date after it", () => {
    const table = loadPrices();
    for (const [key, p] of Object.entries(table.prices)) {
      assert.ok(p.usdPerHour > 0 && p.source.length > 20, `${key}: a positive price with its source`);
      assert.match(p.read, /^\d{4}-\d\d-\d\d$/, key);
      if (p.asOf && p.asOf !== "undated") assert.ok(/^\d{4}-\d\d-\d\d$/.test(p.asOf) && p.asOf <= p.read, `${key}: prices from ${p.asOf} cannot be read on ${p.read}`);
      if (p.asOf === "undated") assert.match(p.source, /not verified|undated|no date/i, `${key}: an undated source says so`);
    }
  });
});

describe("price-API parsers", () => {
  it("read the on-demand hourly USD price from a GetProducts response", () => {
    const prices = awsOnDemandHourly(fixture("aws-get-products.json"));
    assert.deepEqual(prices.map((p) => [p.sku, p.attributes.capacitystatus, p.usdPerHour]), [["FIXTURESKU1", "Used", 1.2345], ["FIXTURESKU2", "UnusedCapacityReservation", 0]]);
    assert.equal(singleHourlyPrice(fixture("aws-get-products.json"), "m6i.xlarge"), 1.2345);
    assert.throws(() => singleHourlyPrice(fixture("aws-get-products-ambiguous.json"), "m6i.xlarge"), /expected one on-demand hourly price, found 1\.2345, 2\.5/);
  });

  it("read Cloud Billing Catalog SKUs: units plus nanos, on-demand only, in the region", () => {
    const prices = googleSkuPrices(fixture("google-skus.json").skus, "europe-west4");
    assert.deepEqual([...prices], [
      ["Regional Kubernetes Clusters fixture cluster management fee", { usd: 0.123, unit: "h" }],
      ["Fixture Instance Core running in Netherlands", { usd: 1.5, unit: "h" }],
    ]);
    assert.deepEqual([...googleSkuPrices(fixture("google-skus.json").skus, "us-central1").keys()], ["Regional Kubernetes Clusters fixture cluster management fee"]);
  });

  it("compose a machine type's price from its family's core and RAM SKUs and its GPUs, on-demand and in the region only", () => {
    const skus = fixture("google-compute-skus.json").skus;
    const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} = ${b}`);
    near(gceMachineHourly(skus, "europe-west4", "e2-standard-8"), 8 * 0.02 + 32 * 0.003);
    near(gceMachineHourly(skus, "europe-west4", "g2-standard-8"), 8 * 0.025 + 32 * 0.004 + 1 * 0.5);
    assert.throws(() => gceMachineHourly(skus, "europe-west4", "a2-highgpu-8g"), /expected one GPU SKU "Nvidia Tesla A100 GPU running…", found 0/);
    assert.throws(() => gceMachineHourly(skus, "europe-west1", "e2-standard-8"), /expected one RAM SKU/);
    assert.throws(() => gceMachineHourly(skus, "europe-west4", "n1-highmem-8"), /shape not known/);
  });

  it("derive GPU counts from machine names as the GKE GPU check knows them", () => {
    for (const [machine, spec] of Object.entries(FIXED_GPU_MACHINES)) {
      const shape = gceShape(machine);
      if (shape) assert.equal(shape.gpu?.count, spec.count, machine);
    }
    assert.deepEqual(gceShape("a2-highgpu-8g"), { family: "A2", vcpus: 96, ramGiB: 680, gpu: { sku: "Nvidia Tesla A100 GPU running", count: 8 } });
  });
});
