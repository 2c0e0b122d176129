// Every cloud permission proven offline: each AWS call the kit's workloads make (modules/facts/cloud-calls.ts,
// traced to its source line) is Allowed on aws-dev, aws-prod and aws-prod-dr (with a restore from the
// primary's backups on the replica) by a real IAM policy evaluator over the planned identity policy
// (with the AWS managed policies it attaches: EBS CSI, VPC CNI, ECR, in test/fixtures/aws-managed-policies.json),
// bucket policy and KMS key policy; the fences hold; and removing s3:DeleteObject from the backup role
// fails the check naming the call and its source.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { awsStackFacts, brokenFences, deniedCalls, evaluate, type AwsStackFacts } from "./cloud-permissions";
import { ofType, REPO_ROOT, tempRoot } from "./helpers";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const plans: Record<string, PlanResult> = {};
const facts: Record<string, AwsStackFacts> = {};

before(async () => {
  for (const stack of ["aws-dev", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
  // The DR stack restoring aws-prod's newest logical backup from the replica, so the restore identity is planned too.
  const dr = readFileSync(join(REPO_ROOT, "stacks/Pulumi.aws-prod-dr.yaml"), "utf8");
  plans["aws-prod-dr"] = await planStack("aws-prod-dr", { root: tempRoot({ "aws-prod-dr": `${dr.trimEnd()}\n  kfp-platform:restore: { backup: latest, from: kfp-prod }\n` }), outDir: null, policyConfig: false });
  for (const stack of ["aws-dev", "aws-prod"]) facts[stack] = awsStackFacts(stack, plans[stack]);
  // The DR stack adopts the replica: its bucket policy and key policy are the primary stack's resources.
  const kmsKeyArn = /kmsKeyArn: (arn:aws:kms:\S+)/.exec(dr)![1];
  facts["aws-prod-dr"] = awsStackFacts("aws-prod-dr", plans["aws-prod-dr"], plans["aws-prod"], { kmsKeyArn });
});

describe("cloud permissions on the AWS stacks, by a real IAM policy evaluator", () => {
  it("plans the stacks, and reads each one's bucket policy and key policy", () => {
    for (const [stack, plan] of Object.entries(plans)) assert.deepEqual(plan.problems, [], stack);
    for (const f of Object.values(facts)) {
      assert.ok(f.bucketPolicy, `${f.stack}: the bucket's TLS-only policy`);
      assert.match(f.bucketKeyArn, /^arn:aws:kms:/, f.stack);
    }
    assert.equal(facts["aws-prod-dr"].bucket, "acme-kfp-prod-artifacts-dr");
    assert.equal(facts["aws-prod-dr"].prefixes.backups, "backups/mysql/kfp-prod-dr");
    assert.equal(facts["aws-prod-dr"].prefixes.restoreSource, "backups/mysql/kfp-prod");
  });

  for (const stack of ["aws-dev", "aws-prod", "aws-prod-dr"]) {
    it(`${stack}: allows every call each workload makes`, async () => {
      assert.deepEqual(await deniedCalls(facts[stack]), []);
    });
    it(`${stack}: keeps every fence: teams apart, backups deleting only their own folder, the restore read-only, no bucket administration`, async () => {
      assert.deepEqual(await brokenFences(facts[stack]), []);
    });
  }

  it("fails naming the call and its source when the backup role loses s3:DeleteObject", async () => {
    const f = facts["aws-prod"];
    const key = "irsa:kubeflow:kfp-db-backup";
    const role = f.roles.get(key)!;
    const mutated = {
      ...role,
      policies: role.policies.map((p) => ({
        ...p,
        policy: { ...p.policy, Statement: p.policy.Statement.map((s: any) => ({ ...s, Action: [s.Action].flat().filter((a: string) => a !== "s3:DeleteObject") })) },
      })),
    };
    const denied = await deniedCalls({ ...f, roles: new Map([...f.roles, [key, mutated]]) });
    assert.equal(denied.length, 1, denied.join("\n"));
    assert.match(denied[0], /Database backup .*: aws s3 rm --recursive \(DeleteObject per key\) needs s3:DeleteObject on arn:aws:s3:::acme-kfp-prod-artifacts\/backups\/mysql\/kfp-prod\/.*ImplicitlyDenied; source: modules\/backup\/scripts\.ts uploadScript: s3 s3 rm --recursive; boto\/s3transfer s3transfer\/delete\.py/);
  });

  it("judges the EBS CSI driver's tag conditions: it deletes and creates only volumes carrying its cluster tag", async () => {
    const f = facts["aws-prod"];
    const ebs = f.roles.get("irsa:kube-system:ebs-csi-controller-sa")!;
    assert.ok(ebs.policies.some((p) => p.name === "AmazonEBSCSIDriverPolicy"), "the managed policy is read from the fixture");
    const volume = `arn:aws:ec2:${f.region}:${f.account}:volume/vol-0a1b2c3d4e5f60718`;
    assert.equal(await evaluate(f, ebs, "ec2:DeleteVolume", volume, { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" }), "Allowed");
    assert.notEqual(await evaluate(f, ebs, "ec2:DeleteVolume", volume), "Allowed", "someone else's volume");
    assert.notEqual(await evaluate(f, ebs, "ec2:CreateVolume", volume), "Allowed", "a volume without the driver's tags");
    const cni = f.roles.get("service:ec2.amazonaws.com")!;
    assert.notEqual(await evaluate(f, cni, "ec2:CreateTags", volume), "Allowed", "the node role tags network interfaces only");
  });

  it("would catch a bucket policy that refuses the clients: the TLS deny takes plain HTTP", async () => {
    const f = facts["aws-prod"];
    const runner = f.roles.get("irsa:kubeflow:pipeline-runner")!;
    const object = `arn:aws:s3:::${f.bucket}/${f.prefixes.pipelineRoot}/run/probe`;
    assert.equal(await evaluate(f, runner, "s3:GetObject", object), "Allowed");
    assert.equal(await evaluate(f, runner, "s3:GetObject", object, { "aws:SecureTransport": "false" }), "ExplicitlyDenied");
  });

  it("gives the replica its own expiry of backups and of delete markers, which replication never carries", () => {
    const rules = ofType(plans["aws-prod"], "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").map((l) => ({ bucket: l.inputs.bucket, rules: l.inputs.rules as any[] }));
    const replica = rules.find((r) => r.rules.some((x) => x.id === "expire-backups"))!;
    assert.ok(replica, "the replica's lifecycle");
    assert.deepEqual(replica.rules.find((x) => x.id === "expire-backups"), { id: "expire-backups", status: "Enabled", filter: { prefix: "backups/mysql/" }, expiration: { days: 15 } });
    assert.deepEqual(replica.rules.find((x) => x.id === "remove-expired-delete-markers").expiration, { expiredObjectDeleteMarker: true });
    assert.deepEqual(replica.rules.find((x) => x.id === "expire-old-versions").noncurrentVersionExpiration, { noncurrentDays: 30 });
    assert.equal(rules.filter((r) => r.rules.some((x) => x.id === "expire-backups")).length, 1, "the primary's backups are pruned by the job, not by age");
  });
});
