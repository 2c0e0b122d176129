// Cloud guardrails on hand-built EKS, GKE, Helm, S3, GCS, RDS and Cloud SQL resources (no example stack
// has them yet): GPU driver pins and taints, and data safety.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dataSafety } from "../policies/src/rules/data-safety";
import { gpuDriversPinned } from "../policies/src/rules/gpu-drivers-pinned";
import { gpuNodesTainted } from "../policies/src/rules/gpu-nodes-tainted";
import { stackViolations, violations, type Props, type StackResourceSpec } from "./policies-helpers";

const EKS = "aws:eks/nodeGroup:NodeGroup";
const GKE = "gcp:container/nodePool:NodePool";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const gpuTaint = { key: "nvidia.com/gpu", value: "present", effect: "NO_SCHEDULE" };
const eksGpu = (extra: Props = {}): Props => ({ clusterName: "c", amiType: "AL2023_x86_64_NVIDIA", version: "1.34", releaseVersion: "1.34.2-20260714", taints: [gpuTaint], ...extra });
const gkeGpu = (extra: Props = {}, accelerator: Props = { gpuDriverInstallationConfig: { gpuDriverVersion: "DEFAULT" } }): Props => ({
  cluster: "c",
  version: "1.33.5-gke.1080000",
  management: { autoUpgrade: false, autoRepair: true },
  nodeConfig: { machineType: "g2-standard-8", guestAccelerators: [{ type: "nvidia-l4", count: 1, ...accelerator }], taints: [gpuTaint] },
  ...extra,
});

describe("gpu-drivers-pinned", () => {
  it("passes pinned EKS and GKE GPU pools, a GPU Operator with driver.version, and non-GPU pools", async () => {
    assert.deepEqual(await violations(gpuDriversPinned, EKS, eksGpu()), []);
    assert.deepEqual(await violations(gpuDriversPinned, GKE, gkeGpu()), []);
    assert.deepEqual(await violations(gpuDriversPinned, EKS, { clusterName: "c", amiType: "AL2023_x86_64_STANDARD" }), []);
    assert.deepEqual(await violations(gpuDriversPinned, GKE, { cluster: "c", nodeConfig: { machineType: "e2-standard-4" } }), []);
    const operator = { chart: "gpu-operator", version: "v25.3.0", repositoryOpts: { repo: "https://helm.ngc.nvidia.com/nvidia" } };
    assert.deepEqual(await violations(gpuDriversPinned, RELEASE, { ...operator, values: { driver: { version: "580.95.05" } } }), []);
    assert.deepEqual(await violations(gpuDriversPinned, RELEASE, { ...operator, values: { driver: { enabled: false } } }), []);
  });

  it("fails an EKS GPU node group without version or releaseVersion", async () => {
    const found = (await violations(gpuDriversPinned, EKS, eksGpu({ version: undefined, releaseVersion: undefined }))) as string[];
    assert.equal(found.length, 2);
    assert.match(found[0], /^\[gpu-drivers-pinned\] aws:eks\/nodeGroup:NodeGroup r: GPU node group \(AL2023_x86_64_NVIDIA\) does not pin the Kubernetes version/);
    assert.match(found[1], /does not pin releaseVersion, so each new AMI release brings a new NVIDIA driver\. Fix: set releaseVersion/);
  });

  it("fails a GKE GPU pool with a fuzzy version or no driver setting (auto-upgrade is the cluster's hold's business: gke-gpu-nodes-held)", async () => {
    const found = (await violations(gpuDriversPinned, GKE, gkeGpu({ version: "1.33", management: { autoUpgrade: true } }, {}))) as string[];
    assert.equal(found.length, 2, found.join("\n"));
    assert.match(found[0], /version 1\.33 is not one exact GKE build/);
    assert.match(found[1], /accelerator nvidia-l4 has gpuDriverVersion \(unset\)/);
    const unspecified = (await violations(gpuDriversPinned, GKE, gkeGpu({}, { gpuDriverInstallationConfig: { gpuDriverVersion: "GPU_DRIVER_VERSION_UNSPECIFIED" } }))) as string[];
    assert.equal(unspecified.length, 1);
  });

  it("fails a GPU Operator release that leaves the driver version to the chart", async () => {
    const found = (await violations(gpuDriversPinned, RELEASE, { chart: "nvidia/gpu-operator", version: "v25.3.0", values: {} })) as string[];
    assert.match(found[0], /installs its driver without values\.driver\.version/);
  });

  it("reads the GPU AMI types from config", async () => {
    const custom = eksGpu({ amiType: "CUSTOM", releaseVersion: undefined });
    assert.deepEqual(await violations(gpuDriversPinned, EKS, custom), []);
    assert.equal(((await violations(gpuDriversPinned, EKS, custom, { eksGpuAmiTypes: ["CUSTOM"] })) as string[]).length, 1);
  });
});

describe("gpu-nodes-tainted", () => {
  it("passes GPU pools with the taint and fails those without", async () => {
    assert.deepEqual(await violations(gpuNodesTainted, EKS, eksGpu()), []);
    assert.deepEqual(await violations(gpuNodesTainted, GKE, gkeGpu()), []);
    assert.match(((await violations(gpuNodesTainted, EKS, eksGpu({ taints: [] }))) as string[])[0], /GPU nodes lack the nvidia\.com\/gpu taint/);
    const wrongEffect = gkeGpu({ nodeConfig: { ...gkeGpu().nodeConfig, taints: [{ ...gpuTaint, effect: "PREFER_NO_SCHEDULE" }] } });
    assert.equal(((await violations(gpuNodesTainted, GKE, wrongEffect)) as string[]).length, 1);
  });
});

describe("data-safety", () => {
  const stack = (environment?: string): StackResourceSpec => ({ type: "pulumi:pulumi:Stack", name: "stack", props: environment ? { environment } : {} });
  const s3 = (name = "artifacts"): StackResourceSpec[] => [
    { type: "aws:s3/bucket:Bucket", name, props: { bucket: `kfp-${name}` }, protect: true },
    { type: "aws:s3/bucketVersioning:BucketVersioning", name: `${name}-versioning`, props: { bucket: `kfp-${name}`, versioningConfiguration: { status: "Enabled" } } },
    { type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", name: `${name}-sse`, props: { bucket: "(id)", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] }, propertyDependencies: { bucket: [name] } },
    { type: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", name: `${name}-block`, props: { bucket: `kfp-${name}`, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } },
  ];
  const rds: StackResourceSpec = { type: "aws:rds/instance:Instance", name: "db", props: { backupRetentionPeriod: 14, storageEncrypted: true, deletionProtection: true }, protect: true };
  const cloudSql: StackResourceSpec = {
    type: "gcp:sql/databaseInstance:DatabaseInstance",
    name: "sql",
    props: { deletionProtection: true, settings: { deletionProtectionEnabled: true, backupConfiguration: { enabled: true, binaryLogEnabled: true } } },
    protect: true,
  };
  const gcs: StackResourceSpec = { type: "gcp:storage/bucket:Bucket", name: "gcs", props: { versioning: { enabled: true }, publicAccessPrevention: "enforced" }, protect: true };

  it("passes safe buckets and databases in prod, linked by name or by property dependency", async () => {
    assert.deepEqual(await stackViolations(dataSafety, [stack("prod"), ...s3(), rds, cloudSql, gcs]), []);
  });

  it("fails an unversioned, unencrypted, public S3 bucket, naming that bucket", async () => {
    const bucket: StackResourceSpec = { type: "aws:s3/bucket:Bucket", name: "open", props: { bucket: "kfp-open", acl: "public-read" } };
    const found = await stackViolations(dataSafety, [stack("dev"), bucket, ...s3("other")]);
    assert.deepEqual(found.map((v) => v.name), ["open", "open", "open", "open"]);
    assert.deepEqual(found.map((v) => /: ([^.]*?)(,| so|\.)/.exec(v.message)?.[1]), [
      "bucket is not versioned",
      "bucket declares no server-side encryption",
      "bucket ACL public-read makes it readable outside the account",
      "bucket has no public access block with all four settings on",
    ]);
  });

  it("fails databases without backups or encryption everywhere, and without deletion protection in prod", async () => {
    const weak: StackResourceSpec = { ...rds, props: { backupRetentionPeriod: 1, storageEncrypted: false }, protect: false };
    const dev = await stackViolations(dataSafety, [stack("dev"), weak]);
    assert.deepEqual(dev.map((v) => /database [^.]*/.exec(v.message)?.[0]), ["database keeps 1 days of backups, fewer than 7", "database storage is not encrypted"]);
    const prod = await stackViolations(dataSafety, [stack("prod"), weak]);
    assert.deepEqual(prod.slice(2).map((v) => /: ([^.]*)\./.exec(v.message)?.[1]), ["database can be deleted", "holds state but is not protected in environment prod"]);
    const sql = await stackViolations(dataSafety, [stack("prod"), { ...cloudSql, props: { settings: { backupConfiguration: { enabled: false } } } }], { minBackupRetentionDays: 7 });
    assert.deepEqual(sql.map((v) => /Cloud SQL [^.(]*/.exec(v.message)?.[0].trim()), ["Cloud SQL backups are off", "Cloud SQL instance can be deleted"]);
  });

  it("requires protect on stateful resources only in strict environments (unknown counts as strict)", async () => {
    const pvc: StackResourceSpec = { type: "kubernetes:core/v1:PersistentVolumeClaim", name: "pvc", props: { metadata: { name: "data", namespace: "kubeflow" } } };
    assert.deepEqual(await stackViolations(dataSafety, [stack("dev"), pvc]), []);
    assert.match((await stackViolations(dataSafety, [stack("prod"), pvc]))[0].message, /^\[data-safety\] PersistentVolumeClaim kubeflow\/data: holds state but is not protected in environment prod/);
    assert.equal((await stackViolations(dataSafety, [stack(), pvc])).length, 1);
    assert.deepEqual(await stackViolations(dataSafety, [stack("staging"), pvc], { strictEnvironments: ["prod"] }), []);
    assert.equal((await stackViolations(dataSafety, [stack("staging"), pvc], { strictEnvironments: ["staging", "prod"] })).length, 1);
  });

  it("fails a GCS bucket without versioning or public access prevention", async () => {
    const found = await stackViolations(dataSafety, [stack("dev"), { ...gcs, props: {} }]);
    assert.equal(found.length, 2);
    assert.match(found[1].message, /does not enforce public access prevention/);
  });
});
