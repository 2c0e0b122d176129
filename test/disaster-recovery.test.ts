// Disaster recovery end to end in the plan: aws-prod keeps copies in a second region (bucket replication
// into a KMS-encrypted replica, automated backups replicated) next to its nightly logical backups, and
// aws-prod-dr rebuilds from them: a point-in-time restore that KFP waits for, the replica adopted as the
// pipeline root. Plus the deploy-time estimate the plan prints.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { RecordedResource } from "../engine/harness";
import { deployTimeLines, estimateDeployTime, waitsTransitively } from "../engine/deploy-time";
import { planStack, type PlanResult } from "../engine/plan";
import { formatSummary } from "../engine/summary";
import { BACKUP_NAME } from "../modules/backup";
import { findObject, ofType, one, REPO_ROOT } from "./helpers";

const plans: Record<string, PlanResult> = {};
const byUrn = (plan: PlanResult, urn: string) => plan.resources.find((r) => r.urn === urn || urn.startsWith(`${r.urn}::`))!;
const regionOf = (plan: PlanResult, r: RecordedResource) => byUrn(plan, r.provider!).inputs.region;
const policies = (plan: PlanResult) => ofType(plan, "aws:iam/rolePolicy:RolePolicy").map((p) => ({ name: p.name, doc: JSON.parse(String(p.inputs.policy)) }));
const k8s = (plan: PlanResult, type: string, name: string) => plan.resources.find((r) => r.type === type && (r.inputs.metadata as any)?.name === name)!;

before(async () => {
  for (const stack of ["aws-prod", "aws-prod-dr"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: "prod" });
});

describe("aws-prod keeps copies for disaster recovery", () => {
  it("plans without problems, with the nightly logical backup", () => {
    const plan = plans["aws-prod"];
    assert.deepEqual(plan.problems, []);
    assert.ok(findObject(plan, "CronJob", BACKUP_NAME), "backup CronJob");
  });

  it("replicates the database's automated backups into the DR region, encrypted with a key there", () => {
    const plan = plans["aws-prod"];
    const replication = one(plan, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
    const instance = one(plan, "aws:rds/instance:Instance");
    assert.equal(regionOf(plan, replication), "eu-central-1");
    assert.equal(regionOf(plan, instance), "eu-west-1");
    assert.equal(replication.inputs.sourceDbInstanceArn, instance.outputs.arn);
    assert.equal(replication.inputs.retentionPeriod, 14);
    assert.match(String(replication.inputs.kmsKeyId), /^arn:aws:kms:eu-central-1:/);
    // What the DR stack's config takes, as stack outputs.
    const outputs = plan.outputs.disasterRecovery as Record<string, string>;
    assert.equal(outputs.replicaBucket, "acme-kfp-prod-artifacts-dr");
    assert.equal(outputs.replicaKmsKeyArn, replication.inputs.kmsKeyId);
    assert.match(outputs.automatedBackupsArn, /^arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-[a-z0-9]+$/);
  });

  it("replicates the bucket into a versioned, KMS-encrypted, protected replica in the DR region", () => {
    const plan = plans["aws-prod"];
    const replication = one(plan, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    const replica = ofType(plan, "aws:s3/bucket:Bucket").find((b) => b.inputs.bucket === "acme-kfp-prod-artifacts-dr")!;
    assert.ok(replica.protect, "replica protected");
    assert.equal(regionOf(plan, replica), "eu-central-1");
    assert.equal(regionOf(plan, replication), "eu-west-1");
    assert.equal(replication.inputs.bucket, "acme-kfp-prod-artifacts");
    const [rule] = replication.inputs.rules as any[];
    assert.equal(rule.status, "Enabled");
    assert.deepEqual(rule.filter, {}, "every object, the logical backups included");
    assert.equal(rule.destination.bucket, "arn:aws:s3:::acme-kfp-prod-artifacts-dr");
    assert.match(rule.destination.encryptionConfiguration.replicaKmsKeyId, /^arn:aws:kms:eu-central-1:/);
    assert.equal(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled", "SSE-KMS objects are skipped unless selected");
    // S3 refuses a replication configuration until both buckets are versioned.
    const versionings = ofType(plan, "aws:s3/bucketVersioning:BucketVersioning");
    assert.equal(versionings.length, 2);
    for (const v of versionings) assert.ok(waitsTransitively(plan.resources, replication, v), `${replication.name} waits for ${v.name}`);
    const replicaEncryption = ofType(plan, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").find((e) => e.inputs.bucket === "acme-kfp-prod-artifacts-dr")!;
    assert.equal((replicaEncryption.inputs.rules as any)[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, rule.destination.encryptionConfiguration.replicaKmsKeyId);
  });

  it("gives the replication role exactly the source reads, the replica writes and each region's key through S3", () => {
    const plan = plans["aws-prod"];
    const role = ofType(plan, "aws:iam/role:Role").find((r) => r.name.endsWith("dr-replication-role"))!;
    assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal, { Service: "s3.amazonaws.com" });
    const { doc } = policies(plan).find((p) => p.name.endsWith("dr-replication-policy"))!;
    const allowed = (action: string) => doc.Statement.filter((s: any) => [s.Action].flat().includes(action));
    assert.deepEqual(allowed("s3:GetObjectVersionForReplication")[0].Resource, "arn:aws:s3:::acme-kfp-prod-artifacts/*");
    assert.deepEqual(allowed("s3:ReplicateObject")[0].Resource, "arn:aws:s3:::acme-kfp-prod-artifacts-dr/*");
    const decrypt = allowed("kms:Decrypt")[0];
    assert.match(decrypt.Resource, /^arn:aws:kms:eu-west-1:/);
    assert.deepEqual(decrypt.Condition, { StringLike: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } });
    const encrypt = allowed("kms:Encrypt")[0];
    assert.match(encrypt.Resource, /^arn:aws:kms:eu-central-1:/);
    assert.deepEqual(encrypt.Condition, { StringLike: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } });
    assert.ok(!doc.Statement.some((s: any) => [s.Resource].flat().includes("*")), "no wildcard resources");
  });
});

describe("aws-prod-dr rebuilds from the copies", () => {
  it("plans without problems under the prod policy config", () => {
    assert.deepEqual(plans["aws-prod-dr"].problems, []);
  });

  it("restores the database from the replicated automated backups, keeping their key, with a managed master password", () => {
    const plan = plans["aws-prod-dr"];
    const instance = one(plan, "aws:rds/instance:Instance");
    assert.deepEqual(instance.inputs.restoreToPointInTime, {
      sourceDbInstanceAutomatedBackupsArn: "arn:aws:rds:eu-central-1:123456789012:auto-backup:ab-kfpprod0example0backups0arn",
      useLatestRestorableTime: true,
    });
    // kmsKeyId forces a replacement when it differs from what the restored instance reads back.
    assert.equal(instance.inputs.kmsKeyId, "arn:aws:kms:eu-central-1:123456789012:key/0b3e4f5a-1c2d-4e6f-8a9b-0c1d2e3f4a5b");
    assert.equal(instance.inputs.username, undefined, "a restore keeps the source's master user");
    assert.equal(instance.inputs.password, undefined, "the provider's restore passes no password");
    assert.equal(instance.inputs.manageMasterUserPassword, true);
    assert.deepEqual(ofType(plan, "aws:kms/key:Key").map((k) => k.name).sort(), ["platform-eks-logs-key", "platform-eks-secrets-key"], "no data key: the bucket and the database bring their own");
    // The bootstrap logs in with the managed secret's login (secret values: read from the wire form).
    const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && String((r.inputs.metadata as any)?.namespace).endsWith("-db-bootstrap"))!;
    const login = (secret.wireInputs as any).stringData.value;
    assert.equal(login.ADMIN_USER, "kfpadmin");
    assert.match(login.ADMIN_PASSWORD, /^[A-Za-z0-9]{32}$/);
  });

  it("starts KFP only after the restored database is bootstrapped", () => {
    const plan = plans["aws-prod-dr"];
    const instance = one(plan, "aws:rds/instance:Instance");
    const bootstrap = ofType(plan, "kubernetes:batch/v1:Job").find((j) => j.name.includes("bootstrap"))!;
    assert.ok(waitsTransitively(plan.resources, bootstrap, instance), "bootstrap waits for the restore");
    for (const name of ["ml-pipeline", "metadata-grpc-deployment", "cache-server"]) {
      const deployment = k8s(plan, "kubernetes:apps/v1:Deployment", name);
      assert.ok(deployment, name);
      assert.ok(waitsTransitively(plan.resources, deployment, bootstrap), `${name} waits for the bootstrap`);
    }
  });

  it("adopts the replica as the pipeline root: no bucket created, IRSA roles on the replica and its key", () => {
    const plan = plans["aws-prod-dr"];
    assert.equal(ofType(plan, "aws:s3/bucket:Bucket").length, 0);
    assert.equal(ofType(plan, "aws:s3/bucketPolicy:BucketPolicy").length, 0, "the bucket's settings stay with the stack that made it");
    const key = "arn:aws:kms:eu-central-1:123456789012:key/0b3e4f5a-1c2d-4e6f-8a9b-0c1d2e3f4a5b";
    const bucketPolicies = policies(plan).filter((p) => JSON.stringify(p.doc).includes("arn:aws:s3:::"));
    assert.ok(bucketPolicies.length >= 5, "the three KFP clients and two teams");
    for (const { name, doc } of bucketPolicies) {
      const resources = doc.Statement.flatMap((s: any) => [s.Resource].flat());
      for (const r of resources.filter((r: string) => r.startsWith("arn:aws:s3:::"))) assert.match(r, /^arn:aws:s3:::acme-kfp-prod-artifacts-dr(\/|$)/, name);
      assert.ok(resources.filter((r: string) => r.startsWith("arn:aws:kms:")).every((r: string) => r === key), name);
    }
    const launcher = findObject(plan, "ConfigMap", "kfp-launcher") as any;
    assert.match(launcher.data.defaultPipelineRoot, /^s3:\/\/acme-kfp-prod-artifacts-dr\//);
  });
});

describe("deploy-time estimate", () => {
  const resource = (name: string, type: string, dependsOn: string[] = [], extra: Partial<RecordedResource> = {}): RecordedResource =>
    ({ urn: `urn:${name}`, type, name, custom: true, remote: false, parent: null, provider: null, dependsOn: dependsOn.map((d) => `urn:${d}`), propertyDependencies: {}, protect: false, additionalSecretOutputs: [], inputs: {}, outputs: {}, wireInputs: {}, wireOutputs: {}, ...extra }) as RecordedResource;

  it("follows the longest chain, through components and providers, not the sum", () => {
    const resources = [
      resource("cluster", "aws:eks/cluster:Cluster"),
      resource("nodes", "aws:eks/nodeGroup:NodeGroup", ["cluster"]),
      resource("group", "my:component:Group", [], { custom: false }),
      resource("nodes-b", "aws:eks/nodeGroup:NodeGroup", ["cluster"], { parent: "urn:group" }),
      resource("k8s", "pulumi:providers:kubernetes", ["group"]),
      resource("db", "aws:rds/instance:Instance", [], { inputs: { multiAz: false } }),
      resource("app", "kubernetes:apps/v1:Deployment", [], { provider: "urn:k8s::abc", propertyDependencies: { x: ["urn:db"] } }),
    ];
    const estimate = estimateDeployTime(resources);
    assert.deepEqual(estimate.path.map((r) => r.name), ["cluster", "nodes-b", "k8s", "app"]);
    assert.equal(estimate.typical, 12 + 4 + 0 + 1);
    // A slower database becomes the path.
    resources[5] = resource("db", "aws:rds/instance:Instance", [], { inputs: { multiAz: true, snapshotIdentifier: "s" } });
    assert.deepEqual(estimateDeployTime(resources).path.map((r) => r.name), ["db", "app"]);
  });

  it("is printed for every stack: a DR rebuild waits on the restore, then the bootstrap, then KFP", () => {
    const summary = formatSummary(plans["aws-prod-dr"]);
    const line = summary.split("\n").find((l) => l.includes("deploy time:"))!;
    assert.match(line, /deploy time: ~\d+ min from empty \(up to \d+ min/);
    const path = estimateDeployTime(plans["aws-prod-dr"].resources).path.map((r) => r.type);
    const restore = path.indexOf("aws:rds/instance:Instance");
    assert.ok(restore >= 0 && path.indexOf("kubernetes:batch/v1:Job") > restore, path.join(" -> "));
    assert.equal(deployTimeLines(plans["aws-prod-dr"].resources)[0], line);
  });
});
