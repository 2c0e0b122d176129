// Plan diffs for pull requests: what is created, deleted, and which input paths change.
import assert from "node:assert/strict";
import { it } from "node:test";
import { diffPlans, formatDiff } from "../engine/plan-diff";

const r = (name: string, inputs: unknown, protect = false) => ({ urn: `urn:pulumi:s::p::kubernetes:apps/v1:Deployment::${name}`, type: "kubernetes:apps/v1:Deployment", name, protect, inputs });

it("reports added, removed and changed resources with the changed input paths", () => {
  const before = [r("api", { spec: { replicas: 1, containers: [{ image: "a:1" }] } }), r("db", { size: "20Gi" }, true)];
  const after = [r("api", { spec: { replicas: 1, containers: [{ image: "a:2" }] } }), r("ui", {})];
  const diff = diffPlans(before, after);
  assert.deepEqual(diff.added.map((x) => x.name), ["ui"]);
  assert.deepEqual(diff.removed.map((x) => x.name), ["db"]);
  assert.deepEqual(diff.changed, [
    { urn: before[0].urn, type: "kubernetes:apps/v1:Deployment", paths: [{ path: "spec.containers[0].image", before: "a:1", after: "a:2" }], inputs: after[0].inputs },
  ]);
  const text = formatDiff("local", diff);
  assert.match(text, /^### Stack `local`: \+1 ~1 -1/);
  assert.match(text, /\*\*delete\*\* `kubernetes:apps\/v1:Deployment::db` \(protected: the update will fail\)/);
  assert.match(text, /`spec\.containers\[0\]\.image`: "a:1" → "a:2"/);
});

it("says so when nothing changes", () => {
  const plan = [r("api", { a: 1 })];
  assert.match(formatDiff("local", diffPlans(plan, plan)), /\n\nNothing changes\.$/);
});

const typed = (type: string, name: string, inputs: unknown, protect = false) => ({ urn: `urn:pulumi:s::p::${type}::${name}`, type, name, protect, inputs });

it("marks stateful resources in bold and names the changes that replace them", () => {
  const RDS = "aws:rds/instance:Instance";
  const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
  const before = [
    typed(RDS, "db", { engine: "mysql", engineVersion: "8.4", instanceClass: "db.t4g.medium" }),
    typed(RDS, "db2", { engine: "mysql", instanceClass: "db.t4g.medium" }),
    typed(PVC, "vol", { metadata: { name: "data" }, spec: { storageClassName: "gp2", resources: { requests: { storage: "20Gi" } } } }),
    typed(PVC, "grow", { metadata: { name: "grow" }, spec: { resources: { requests: { storage: "20Gi" } } } }),
    typed("aws:s3/bucket:Bucket", "bucket", { bucket: "a" }),
  ];
  const after = [
    typed(RDS, "db", { engine: "postgres", engineVersion: "8.4", instanceClass: "db.t4g.medium" }),
    typed(RDS, "db2", { engine: "mysql", instanceClass: "db.m7g.large" }),
    typed(PVC, "vol", { metadata: { name: "data" }, spec: { storageClassName: "gp3", resources: { requests: { storage: "20Gi" } } } }),
    typed(PVC, "grow", { metadata: { name: "grow" }, spec: { resources: { requests: { storage: "40Gi" } } } }),
  ];
  const text = formatDiff("aws-prod", diffPlans(before, after));
  assert.match(text, /\*\*5 stateful resource\(s\) change or go: review the lines marked stateful\.\*\*/);
  assert.match(text, /- \*\*delete\*\* \*\*stateful\*\* \*\*`aws:s3\/bucket:Bucket::bucket`\*\*/);
  assert.match(text, /- \*\*replace\*\* \*\*stateful\*\* \*\*`aws:rds\/instance:Instance::db`\*\*: delete and create, forced by `engine`/);
  // The claim keeps its name: the provider deletes it (and its volume's binding) before making the new one.
  assert.match(text, /- \*\*replace, deleting first\*\* \*\*stateful\*\* \*\*`kubernetes:core\/v1:PersistentVolumeClaim::vol`\*\*: it keeps its name, .*forced by `spec\.storageClassName`/);
  assert.match(text, /- \*\*update\*\* \*\*stateful\*\* \*\*`aws:rds\/instance:Instance::db2`\*\*\n  - `instanceClass`/, "a class change is in place");
  assert.match(text, /- \*\*update\*\* \*\*stateful\*\* \*\*`kubernetes:core\/v1:PersistentVolumeClaim::grow`\*\*/, "a claim may grow in place");
  assert.doesNotMatch(formatDiff("x", diffPlans([r("api", { a: 1 })], [r("api", { a: 2 })])), /stateful/);
});

it("marks a replacement that keeps the resource's name as deleting first (downtime), and one that renames it as not", () => {
  const group = (instanceTypes: string[], nodeGroupName = "kfp-prod-system") => typed("aws:eks/nodeGroup:NodeGroup", "platform-nodes-system", { nodeGroupName, instanceTypes });
  const sameName = formatDiff("aws-prod", diffPlans([group(["m6i.xlarge"])], [group(["m6i.2xlarge"])]));
  assert.match(sameName, /- \*\*replace, deleting first\*\* \*\*stateful\*\* \*\*`aws:eks\/nodeGroup:NodeGroup::platform-nodes-system`\*\*: it keeps its name, so the old one goes before the new one exists \(down until it is up\), forced by `instanceTypes\[0\]`/);
  const renamed = formatDiff("aws-prod", diffPlans([group(["m6i.xlarge"])], [group(["m6i.2xlarge"], "kfp-prod-system-2")]));
  assert.match(renamed, /- \*\*replace\*\* .*: delete and create, forced by `instanceTypes\[0\]`, `nodeGroupName`/);
  assert.doesNotMatch(renamed, /deleting first/);
});

it("counts what a replaced provider takes with it, and does not call a change of an unread type a sure update", () => {
  const provider = (kubeconfig: string) => typed("pulumi:providers:kubernetes", "k8s", { kubeconfig });
  const object = { ...typed("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "kubeflow" } }), provider: "urn:pulumi:s::p::pulumi:providers:kubernetes::k8s" };
  const text = formatDiff("gcp-prod", diffPlans([provider("old"), object], [provider("new"), object]));
  assert.match(text, /- \*\*replace\*\* `pulumi:providers:kubernetes::k8s`: delete and create, forced by `kubeconfig`\n {2}- and with it every one of the 1 resources created through this provider/);
  const unread = "aws:foo/bar:Bar"; // a type the table has no entry for, as a type nobody has read yet
  const guess = formatDiff("aws-prod", diffPlans([typed(unread, "fb", { tags: { a: "1" } })], [typed(unread, "fb", { tags: { a: "2" } })]));
  assert.match(guess, /- \*\*update\*\* `aws:foo\/bar:Bar::fb` \(may replace: the provider's replacement rules for this type are not in engine\/replacements\/table\.json\)/);
});

it("uses the launch template's read rules: a new name replaces it, a new version of its contents does not", () => {
  const LT = "aws:ec2/launchTemplate:LaunchTemplate";
  const template = (name: string, volumeSize: number) => typed(LT, "lt", { name, blockDeviceMappings: [{ ebs: { volumeSize } }] });
  const renamed = formatDiff("aws-prod", diffPlans([template("nodes-a", 20)], [template("nodes-b", 20)]));
  assert.match(renamed, /- \*\*replace\*\* `aws:ec2\/launchTemplate:LaunchTemplate::lt`: delete and create, forced by `name`/);
  const resized = formatDiff("aws-prod", diffPlans([template("nodes-a", 20)], [template("nodes-a", 40)]));
  assert.match(resized, /- \*\*update\*\* `aws:ec2\/launchTemplate:LaunchTemplate::lt`\n/);
  assert.doesNotMatch(resized, /may replace/);
});

it("carries the aws provider's region down: a new region replaces every regional resource through it, not the global ones", () => {
  const provider = (region: string) => typed("pulumi:providers:aws", "aws", { region });
  const through = (r: ReturnType<typeof typed>) => ({ ...r, provider: "urn:pulumi:s::p::pulumi:providers:aws::aws::04da6b54-80e4-46f7-96ec-b56ff0331ba9" });
  const vpc = through(typed("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" }));
  const role = through(typed("aws:iam/role:Role", "role", { name: "r" }));
  const pinned = through(typed("aws:s3/bucket:Bucket", "replica", { bucket: "b", region: "eu-central-1" }));
  const text = formatDiff("aws-prod", diffPlans([provider("eu-west-1"), vpc, role, pinned], [provider("eu-west-2"), vpc, role, pinned]));
  assert.match(text, /- \*\*replace\*\* `aws:ec2\/vpc:Vpc::vpc`: delete and create, forced by `region`\n {2}- `region`: "eu-west-1" → "eu-west-2"/);
  assert.doesNotMatch(text, /iam\/role/, "IAM is global: the region does not reach it");
  assert.doesNotMatch(text, /bucket:Bucket::replica/, "a resource that sets its own region keeps it");
  assert.match(text, /- \*\*update\*\* `pulumi:providers:aws::aws`/);
});
