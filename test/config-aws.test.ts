// Bad AWS stack input: each mistake is one line naming the stack file, the key and the fix, and the
// environment's defaults (NAT, multi-AZ, deletion protection) land where they should.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../modules/config";
import { parseStackConfig } from "../modules/config/parse";
import { DEFAULT_BACKUP_DAYS, PROD_BACKUP_DAYS } from "../modules/config/schema";
import { dataSafety } from "../policies/src/rules/data-safety";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./helpers";

const FILE = "stacks/Pulumi.aws-test.yaml";
const gpuGroup = { instanceTypes: ["g5.xlarge"], releaseVersion: "1.35.6-20260714", cuda: "12.8" };
const cluster = (extra: Record<string, unknown> = {}) => ({
  target: "aws",
  region: "eu-west-1",
  accountId: "123456789012",
  name: "kfp-test",
  network: { availabilityZones: ["eu-west-1a", "eu-west-1b"] },
  publicAccessCidrs: ["203.0.113.0/24"],
  admins: ["arn:aws:iam::123456789012:role/platform-admins"],
  gpuGroups: { gpu: gpuGroup },
  ...extra,
});
const stack = (environment: string, parts: { cluster?: unknown; objectStore?: unknown; database?: unknown } = {}) => ({
  "kfp-platform:environment": environment,
  "kfp-platform:cluster": JSON.stringify(parts.cluster ?? cluster()),
  "kfp-platform:objectStore": JSON.stringify(parts.objectStore ?? { kind: "s3", bucket: "acme-kfp-test" }),
  "kfp-platform:database": JSON.stringify(parts.database ?? { kind: "rds" }),
});

function problems(raw: Record<string, string>): string[] {
  try {
    parseStackConfig(raw, FILE);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split("\n");
  }
  assert.fail("config was accepted");
}
const onlyProblem = (raw: Record<string, string>) => {
  const lines = problems(raw);
  assert.equal(lines.length, 1, lines.join("\n"));
  assert.ok(lines[0].startsWith(`${FILE}: kfp-platform:`), lines[0]);
  return lines[0];
};
const gpu = (override: Record<string, unknown>) => stack("dev", { cluster: cluster({ gpuGroups: { gpu: { ...gpuGroup, ...override } } }) });

describe("aws stack config", () => {
  it("accepts a minimal stack and fills the environment's defaults", () => {
    const dev = parseStackConfig(stack("dev"), FILE);
    assert.equal(dev.cluster.target === "aws" && dev.cluster.network?.natGateways, "one");
    assert.deepEqual(dev.database.kind === "rds" && [dev.database.multiAz, dev.database.backupRetentionDays, dev.database.deletionProtection], [false, 7, false]);
    const prod = parseStackConfig(stack("prod"), FILE);
    assert.equal(prod.cluster.target === "aws" && prod.cluster.network?.natGateways, "per-zone");
    assert.deepEqual(prod.database.kind === "rds" && [prod.database.multiAz, prod.database.backupRetentionDays, prod.database.deletionProtection], [true, 14, true]);
    assert.equal(prod.protectData, true);
  });

  it("refuses a VPC range the kit cannot split into /28 subnets, or that EC2 would not take (once a crash)", () => {
    const vpc = (vpcCidr: string) => stack("dev", { cluster: cluster({ network: { availabilityZones: ["eu-west-1a", "eu-west-1b"], vpcCidr } }) });
    assert.match(onlyProblem(vpc("10.0.0.0/24")), /network\.vpcCidr: found "10\.0\.0\.0\/24"; must be a \/16 to \/22 \(EC2 takes a VPC of \/16 to \/28/);
    assert.match(onlyProblem(vpc("10.0.5.0/16")), /network\.vpcCidr: .*has host bits set under \/16: the range's address is 10\.0\.0\.0\/16/);
    assert.match(onlyProblem(vpc("10.0.256.0/22")), /network\.vpcCidr: .*has an octet above 255/);
    assert.doesNotThrow(() => parseStackConfig(vpc("10.8.0.0/22"), FILE));
  });

  it("refuses a GPU group without releaseVersion", () => {
    const { releaseVersion: _, ...unpinned } = gpuGroup;
    assert.match(onlyProblem(stack("dev", { cluster: cluster({ gpuGroups: { gpu: unpinned } }) })), /kfp-platform:cluster\.gpuGroups\.gpu\.releaseVersion: required value is missing/);
  });

  it("refuses an AMI release that is not in the driver table, or is for another Kubernetes version", () => {
    assert.match(onlyProblem(gpu({ releaseVersion: "1.35.6-20990101" })), /gpuGroups\.gpu\.releaseVersion: found "1\.35\.6-20990101"; is not in the kit's NVIDIA AMI driver table/);
    assert.match(onlyProblem(gpu({ releaseVersion: "1.34.9-20260714" })), /gpuGroups\.gpu\.releaseVersion: found "1\.34\.9-20260714"; is an AMI release for another Kubernetes version; the cluster runs 1\.35/);
  });

  it("refuses a CUDA version the release's driver cannot run, or the GPU architecture no longer supports", () => {
    assert.match(onlyProblem(gpu({ cuda: "13.1" })), /gpuGroups\.gpu\.cuda: found "13\.1"; AMI release 1\.35\.6-20260714 ships NVIDIA driver 580\.159\.03, which runs CUDA up to 13\.0/);
    assert.match(onlyProblem(gpu({ instanceTypes: ["p3.2xlarge"], cuda: "13.0" })), /gpuGroups\.gpu\.cuda: found "13\.0"; p3\.2xlarge \(nvidia-v100\) supports CUDA up to 12\.9/);
  });

  it("refuses an instance type that is not a GPU type in a GPU group, and mixed GPU counts", () => {
    assert.match(onlyProblem(gpu({ instanceTypes: ["m6i.xlarge"] })), /gpuGroups\.gpu\.instanceTypes\[0\]: found "m6i\.xlarge"; is not an NVIDIA GPU instance type/);
    assert.match(onlyProblem(gpu({ instanceTypes: ["g5.xlarge", "g5.12xlarge"] })), /gpuGroups\.gpu\.instanceTypes: .*mixes instance types with different GPU counts/);
  });

  it("refuses IRSA together with static keys, and keys without their Secret", () => {
    assert.match(onlyProblem(stack("dev", { objectStore: { kind: "s3", bucket: "acme-kfp-test", keysSecret: "aws-keys" } })), /kfp-platform:objectStore\.keysSecret: found "aws-keys"; IRSA and static keys exclude each other/);
    assert.match(onlyProblem(stack("dev", { objectStore: { kind: "s3", bucket: "acme-kfp-test", auth: "keys" } })), /kfp-platform:objectStore\.keysSecret: required value is missing; auth keys needs the Secret/);
  });

  it("asks the same backup days as the data-safety policy: its default outside prod, policies/config/prod.json in prod", () => {
    const prodConfig = JSON.parse(readFileSync(join(REPO_ROOT, "policies/config/prod.json"), "utf8"));
    assert.equal(prodConfig["data-safety"].minBackupRetentionDays, PROD_BACKUP_DAYS);
    assert.equal((dataSafety.configSchema!.properties as any).minBackupRetentionDays.default, DEFAULT_BACKUP_DAYS);
  });

  it("refuses prod without multi-AZ or with fewer than 14 days of backups, and the in-cluster database in prod", () => {
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", multiAz: false } })), /kfp-platform:database\.multiAz: found false; prod needs a standby in a second zone/);
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", backupRetentionDays: 10 } })), /kfp-platform:database\.backupRetentionDays: found 10; prod needs at least 14 days of backups/);
    assert.match(onlyProblem(stack("prod", { database: { kind: "in-cluster" } })), /kfp-platform:database\.kind: found "in-cluster"; prod needs database backups/);
  });

  it("refuses S3 or RDS on a cluster the kit does not build", () => {
    const existing = { target: "existing" };
    const lines = problems(stack("dev", { cluster: existing }));
    assert.deepEqual(lines.map((l) => l.split(": ")[1]), ["kfp-platform:objectStore.kind", "kfp-platform:database.kind"]);
    assert.match(lines[0], /s3 needs cluster.target aws/);
  });

  it("needs exactly one of network and existingNetwork, zones of the region, and sane group sizes", () => {
    const { network: _, ...noNetwork } = cluster();
    assert.match(onlyProblem(stack("dev", { cluster: noNetwork })), /kfp-platform:cluster\.network: required value is missing; set exactly one of network/);
    assert.match(onlyProblem(stack("dev", { cluster: cluster({ network: { availabilityZones: ["eu-west-1a", "us-east-1b"] } }) })), /cluster\.network\.availabilityZones\[1\]: found "us-east-1b"; is not a zone of region eu-west-1/);
    assert.match(onlyProblem(gpu({ minSize: 3, maxSize: 2, desiredSize: 2 })), /gpuGroups\.gpu\.minSize: found 3; must not exceed maxSize \(2\)/);
    assert.match(onlyProblem(stack("dev", { cluster: cluster({ admins: ["platform-admins"] }) })), /cluster\.admins\[0\]: found "platform-admins"; expected an IAM role or user ARN/);
  });

  it("refuses an STS session ARN as an admin (EKS access entries refuse it), naming the role to use instead", () => {
    const session = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123abcd/jane@example.com";
    assert.match(
      onlyProblem(stack("dev", { cluster: cluster({ admins: [session] }) })),
      /cluster\.admins\[0\]: found "arn:aws:sts::[^;]*; is an STS session \(what aws sts get-caller-identity prints\), which EKS access entries refuse; name the role instead: arn:aws:iam::123456789012:role\/AWSReservedSSO_Admin_0123abcd \(with its path, if it has one: aws iam get-role --role-name AWSReservedSSO_Admin_0123abcd --query Role\.Arn\)/,
    );
    assert.doesNotThrow(() => parseStackConfig(stack("dev", { cluster: cluster({ admins: ["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123abcd"] }) }), FILE));
  });

  it("refuses a log retention CloudWatch does not offer", () => {
    assert.match(onlyProblem(stack("dev", { cluster: cluster({ logRetentionDays: 100 }) })), /cluster\.logRetentionDays: found 100; /);
    assert.doesNotThrow(() => parseStackConfig(stack("dev", { cluster: cluster({ logRetentionDays: 365 }) }), FILE));
  });
});

describe("disaster recovery config", () => {
  const dr = { region: "us-west-2", replicaBucket: "acme-kfp-test-dr" };

  it("accepts copies in another region and fills their retention", () => {
    const config = parseStackConfig(stack("prod", { cluster: cluster({ disasterRecovery: dr }) }), FILE);
    assert.equal(config.cluster.target === "aws" && config.cluster.disasterRecovery?.backupRetentionDays, 14);
  });

  it("refuses copies in the cluster's own region, into the primary bucket, of MinIO, or of an adopted bucket", () => {
    assert.match(onlyProblem(stack("prod", { cluster: cluster({ disasterRecovery: { ...dr, region: "eu-west-1" } }) })), /disasterRecovery\.region: found "eu-west-1"; is the cluster's own region/);
    assert.match(onlyProblem(stack("prod", { cluster: cluster({ disasterRecovery: { ...dr, replicaBucket: "acme-kfp-test" } }) })), /disasterRecovery\.replicaBucket: found "acme-kfp-test"; is the primary bucket's name/);
    assert.match(onlyProblem(stack("prod", { cluster: cluster({ disasterRecovery: dr }), objectStore: { kind: "minio" } })), /kfp-platform:cluster\.disasterRecovery: .*set objectStore\.kind s3/);
    const adopted = { kind: "s3", bucket: "acme-kfp-test", existingBucket: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0b3e4f5a-1c2d-4e6f-8a9b-0c1d2e3f4a5b" } };
    assert.match(onlyProblem(stack("prod", { cluster: cluster({ disasterRecovery: dr }), objectStore: adopted })), /an adopted bucket \(objectStore\.existingBucket\) is not replicated/);
  });

  it("needs exactly one restore source, in the ARN forms RDS gives", () => {
    const arn = "arn:aws:rds:eu-west-1:123456789012:auto-backup:ab-abc123";
    const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/0b3e4f5a-1c2d-4e6f-8a9b-0c1d2e3f4a5b";
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", restoreFrom: { kmsKeyArn } } })), /database\.restoreFrom: .*set exactly one of automatedBackupsArn and snapshotIdentifier/);
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", restoreFrom: { automatedBackupsArn: arn, snapshotIdentifier: "kfp-final", kmsKeyArn } } })), /set exactly one/);
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", restoreFrom: { automatedBackupsArn: "arn:aws:rds:eu-west-1:123456789012:db:kfp", kmsKeyArn } } })), /restoreFrom\.automatedBackupsArn: .*expected a replicated automated backups ARN/);
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", restoreFrom: { automatedBackupsArn: arn, restoreTime: "yesterday", kmsKeyArn } } })), /restoreFrom\.restoreTime: .*expected "latest" or a UTC time/);
    const snapshot = parseStackConfig(stack("prod", { database: { kind: "rds", restoreFrom: { snapshotIdentifier: "kfp-final", kmsKeyArn } } }), FILE);
    assert.equal(snapshot.database.kind === "rds" && snapshot.database.restoreFrom?.snapshotIdentifier, "kfp-final");
    assert.match(onlyProblem(stack("prod", { database: { kind: "rds", restoreFrom: { snapshotIdentifier: "kfp-final" } } })), /restoreFrom\.kmsKeyArn: required value is missing/);
  });
});

