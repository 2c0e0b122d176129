// The AWS calls each workload of the kit makes, traced to the line of its source at the pinned version,
// with the IAM action each needs. The one table test/cloud-permissions.test.ts evaluates against every AWS
// stack's planned policies (identity policy, bucket policy, KMS key policy) with a real IAM policy
// evaluator; test/backup-iam.test.ts judges the backup scripts' recorded requests with the same evaluator.
// Resources are named by role, not by value: the test resolves them per stack from the plan.

/** Where a call lands: the bucket, a key under one of the bucket's prefixes, a KMS key, or a service's own resources. */
export type CallResource =
  | { readonly kind: "bucket" }
  /** A key under a prefix: the pipeline root, Argo's logs, stored pipelines, this stack's backups, a team's part of the root. */
  | { readonly kind: "object"; readonly prefix: "pipelineRoot" | "argoLogs" | "pipelinePackages" | "backups" | "restoreSource" | "teamRoot" }
  /** The key the bucket's objects are encrypted with (SSE-KMS). */
  | { readonly kind: "bucketKey" }
  | { readonly kind: "any" }
  /** ECR repositories under this stack's pull-through prefixes. */
  | { readonly kind: "cacheRepository" }
  /** An Auto Scaling group tagged for this cluster's autoscaler. */
  | { readonly kind: "taggedAutoScalingGroup" }
  /** An EC2 resource of this account and region: an EBS volume or snapshot, an instance, a network interface. */
  | { readonly kind: "ec2"; readonly type: "volume" | "snapshot" | "instance" | "network-interface" };

export interface CloudCall {
  /** What the code calls (SDK method or API operation). */
  readonly call: string;
  /** The IAM action the call is authorised as. */
  readonly action: string;
  readonly resource: CallResource;
  /** Request context the call carries (s3:prefix of a listing), by role: "<prefix>/" is resolved like resource prefixes. */
  readonly listPrefix?: "pipelineRoot" | "backups" | "restoreSource" | "teamRoot";
  /** Condition keys the request carries (tags it sets or finds), as the evaluator's context. */
  readonly context?: Readonly<Record<string, string>>;
  /** repo@version path:line (or the AWS document) the call is traced to. */
  readonly source: string;
}

/** Which identity a workload runs as: an IRSA role by its service account, or a role by the AWS service that assumes it. */
export type CallIdentity =
  | { readonly kind: "irsa"; readonly namespace: "platform" | "kube-system" | "team"; readonly serviceAccount: string }
  | { readonly kind: "service"; readonly service: "ec2.amazonaws.com" | "s3.amazonaws.com" };

export interface Workload {
  readonly name: string;
  readonly identity: CallIdentity;
  /** Only on stacks with this (a DR replica, a restore, team namespaces). */
  readonly when?: "disasterRecovery" | "restore" | "teams";
  readonly calls: readonly CloudCall[];
}

const KFP = "kubeflow/pipelines@2.14.0";
const ARGO = "argoproj/argo-workflows@v3.6.7";
const S3_GUIDE = "AWS S3 user guide";

/** SSE-KMS as S3 needs it from the caller: reading decrypts, writing generates a data key, multipart does both. */
const kmsRead = (source: string): CloudCall => ({ call: "S3 decrypts the object (SSE-KMS)", action: "kms:Decrypt", resource: { kind: "bucketKey" }, source });
const kmsWrite = (source: string): CloudCall[] => [
  { call: "S3 encrypts the object (SSE-KMS, bucket key)", action: "kms:GenerateDataKey", resource: { kind: "bucketKey" }, source },
  { call: "S3 reads the data key back for a multipart upload's parts", action: "kms:Decrypt", resource: { kind: "bucketKey" }, source },
];
const SSE_KMS = `${S3_GUIDE}, "Specifying server-side encryption with AWS KMS (SSE-KMS)" and "Multipart upload API and permissions" (kms:GenerateDataKey to write, kms:Decrypt to read and for multipart)`;

/** The multipart calls a CLI or SDK makes for a large upload: all authorised as s3:PutObject, the abort as its own action. */
const multipart = (prefix: "pipelineRoot" | "argoLogs" | "backups" | "teamRoot", source: string): CloudCall[] => [
  ...["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"].map((call) => ({ call, action: "s3:PutObject", resource: { kind: "object", prefix } as const, source })),
  { call: "AbortMultipartUpload (a failed upload)", action: "s3:AbortMultipartUpload", resource: { kind: "object", prefix }, source },
];

const AWS_CLI = "aws/aws-cli v2 (s3transfer)";
/** The add-on runs v1.66.0 (modules/versions.ts); lines read at the repository's 2026-08-19 head (429e202, after v1.64.0), the newest stored. */
const EBS_CSI = "kubernetes-sigs/aws-ebs-csi-driver@429e202";

export const AWS_WORKLOADS: readonly Workload[] = [
  {
    name: "KFP API server",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "ml-pipeline" },
    calls: [
      { call: "minio-go BucketExists (HeadBucket) at start", action: "s3:ListBucket", resource: { kind: "bucket" }, source: `${KFP} backend/src/apiserver/client_manager/client_manager.go:651` },
      { call: "minio-go GetObject: archived logs", action: "s3:GetObject", resource: { kind: "object", prefix: "argoLogs" }, source: `${KFP} backend/src/apiserver/resource/resource_manager.go:1028, storage/object_store.go:83` },
      { call: "minio-go GetObject: stored pipeline templates", action: "s3:GetObject", resource: { kind: "object", prefix: "pipelinePackages" }, source: `${KFP} backend/src/apiserver/resource/resource_manager.go:1545-1551` },
      { call: "minio-go GetObject: v1 ReadArtifact", action: "s3:GetObject", resource: { kind: "object", prefix: "pipelineRoot" }, source: `${KFP} backend/src/apiserver/resource/resource_manager.go:1640` },
      kmsRead(SSE_KMS),
    ],
  },
  {
    name: "KFP UI",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "ml-pipeline-ui" },
    calls: [
      { call: "minio-js getObject: artifacts", action: "s3:GetObject", resource: { kind: "object", prefix: "pipelineRoot" }, source: `${KFP} frontend/server/minio-helper.ts:274, handlers/artifacts.ts:231` },
      { call: "minio-js getObject: archived logs", action: "s3:GetObject", resource: { kind: "object", prefix: "argoLogs" }, source: `${KFP} frontend/server/workflow-helper.ts:142` },
      { call: "minio-js getBucketRegion (no region given for logs)", action: "s3:GetBucketLocation", resource: { kind: "bucket" }, source: `${KFP} frontend/server/minio-helper.ts:184` },
      kmsRead(SSE_KMS),
    ],
  },
  {
    name: "KFP launcher (pipeline-runner; the driver opens no bucket: backend/src/v2/driver/root_dag.go)",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "pipeline-runner" },
    calls: [
      { call: "gocloud blob NewWriter (PutObject): step outputs", action: "s3:PutObject", resource: { kind: "object", prefix: "pipelineRoot" }, source: `${KFP} backend/src/v2/objectstore/object_store.go:157` },
      ...multipart("pipelineRoot", "google/go-cloud@v0.40.0 blob/s3blob/s3blob.go (s3 manager Uploader)"),
      { call: "gocloud blob NewReader (GetObject): step inputs", action: "s3:GetObject", resource: { kind: "object", prefix: "pipelineRoot" }, source: `${KFP} backend/src/v2/objectstore/object_store.go:185` },
      { call: "gocloud blob List (ListObjectsV2): directory inputs", action: "s3:ListBucket", resource: { kind: "bucket" }, listPrefix: "pipelineRoot", source: `${KFP} backend/src/v2/objectstore/object_store.go:124` },
      ...kmsWrite(SSE_KMS),
    ],
  },
  {
    name: "Argo executor (wait container): log archive",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "pipeline-runner" },
    calls: [
      { call: "argoproj/pkg s3 PutFile -> minio-go FPutObject", action: "s3:PutObject", resource: { kind: "object", prefix: "argoLogs" }, source: `${ARGO} workflow/artifacts/s3/s3.go:239` },
      ...multipart("argoLogs", `minio-go@v7.0.89 api-put-object.go (putObjectMultipartStream above 16 MiB)`),
      ...kmsWrite(SSE_KMS),
    ],
  },
  {
    name: "Team pipeline steps (the team's pipeline-runner)",
    identity: { kind: "irsa", namespace: "team", serviceAccount: "pipeline-runner" },
    when: "teams",
    calls: [
      { call: "gocloud blob NewWriter (PutObject)", action: "s3:PutObject", resource: { kind: "object", prefix: "teamRoot" }, source: `${KFP} backend/src/v2/objectstore/object_store.go:157` },
      { call: "gocloud blob NewReader (GetObject)", action: "s3:GetObject", resource: { kind: "object", prefix: "teamRoot" }, source: `${KFP} backend/src/v2/objectstore/object_store.go:185` },
      { call: "gocloud blob List (ListObjectsV2)", action: "s3:ListBucket", resource: { kind: "bucket" }, listPrefix: "teamRoot", source: `${KFP} backend/src/v2/objectstore/object_store.go:124` },
      ...multipart("teamRoot", "google/go-cloud@v0.40.0 blob/s3blob/s3blob.go (s3 manager Uploader)"),
      ...kmsWrite(SSE_KMS),
    ],
  },
  {
    name: "Database backup (kfp-db-backup, upload.sh)",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "kfp-db-backup" },
    calls: [
      { call: "aws s3 cp <dump> (PutObject)", action: "s3:PutObject", resource: { kind: "object", prefix: "backups" }, source: "modules/backup/scripts.ts uploadScript: s3 s3 cp ... kfp.sql" },
      ...multipart("backups", `${AWS_CLI} s3transfer/upload.py (multipart above 8 MiB)`),
      { call: "aws s3api head-object (HeadObject)", action: "s3:GetObject", resource: { kind: "object", prefix: "backups" }, source: "modules/backup/scripts.ts uploadScript: s3 s3api head-object" },
      { call: "aws s3api list-objects-v2 --prefix <backups>/", action: "s3:ListBucket", resource: { kind: "bucket" }, listPrefix: "backups", source: "modules/backup/scripts.ts uploadScript: s3 s3api list-objects-v2" },
      { call: "aws s3 rm --recursive (DeleteObject per key)", action: "s3:DeleteObject", resource: { kind: "object", prefix: "backups" }, source: `modules/backup/scripts.ts uploadScript: s3 s3 rm --recursive; boto/s3transfer s3transfer/delete.py DeleteObjectTask (client.delete_object)` },
      ...kmsWrite(SSE_KMS),
    ],
  },
  {
    name: "Database restore (kfp-db-restore, download.sh)",
    identity: { kind: "irsa", namespace: "platform", serviceAccount: "kfp-db-restore" },
    when: "restore",
    calls: [
      { call: "aws s3api list-objects-v2 --prefix <source>/ (latest)", action: "s3:ListBucket", resource: { kind: "bucket" }, listPrefix: "restoreSource", source: "modules/backup/scripts.ts downloadScript: s3 s3api list-objects-v2" },
      { call: "aws s3 cp s3://... (HeadObject, then GetObject)", action: "s3:GetObject", resource: { kind: "object", prefix: "restoreSource" }, source: `modules/backup/scripts.ts downloadScript: s3 s3 cp; ${AWS_CLI} s3transfer/download.py` },
      kmsRead(SSE_KMS),
    ],
  },
  {
    name: "Cluster Autoscaler",
    identity: { kind: "irsa", namespace: "kube-system", serviceAccount: "cluster-autoscaler" },
    calls: [
      ...["DescribeAutoScalingGroups", "DescribeAutoScalingInstances", "DescribeLaunchConfigurations", "DescribeScalingActivities", "DescribeTags"].map((op) => ({
        call: op,
        action: `autoscaling:${op}`,
        resource: { kind: "any" } as const,
        source: "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (IAM policy) and aws_wrapper.go",
      })),
      ...["DescribeImages", "DescribeInstanceTypes", "DescribeLaunchTemplateVersions", "GetInstanceTypesFromInstanceRequirements"].map((op) => ({
        call: op,
        action: `ec2:${op}`,
        resource: { kind: "any" } as const,
        source: "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (IAM policy)",
      })),
      { call: "DescribeNodegroup", action: "eks:DescribeNodegroup", resource: { kind: "any" }, source: "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (IAM policy)" },
      ...["SetDesiredCapacity", "TerminateInstanceInAutoScalingGroup"].map((op) => ({
        call: op,
        action: `autoscaling:${op}`,
        resource: { kind: "taggedAutoScalingGroup" } as const,
        source: "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (IAM policy, tag conditions)",
      })),
    ],
  },
  {
    name: "EBS CSI driver controller (gp3 volumes for MySQL, MinIO, Prometheus)",
    identity: { kind: "irsa", namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" },
    calls: [
      ...["DescribeAvailabilityZones", "DescribeInstances", "DescribeVolumes", "DescribeVolumesModifications"].map((op) => ({
        call: op,
        action: `ec2:${op}`,
        resource: { kind: "any" } as const,
        source: `${EBS_CSI} pkg/cloud/cloud.go (zone, instance and volume lookups)`,
      })),
      {
        call: "CreateVolume with the driver's tags",
        action: "ec2:CreateVolume",
        resource: { kind: "ec2", type: "volume" },
        context: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true", "aws:RequestTag/CSIVolumeName": "pvc-0b1c2d3e", "aws:TagKeys": "ebs.csi.aws.com/cluster" },
        source: `${EBS_CSI} pkg/cloud/cloud.go:934 (TagSpecifications from pkg/driver/controller.go:126-127)`,
      },
      {
        call: "CreateTags as part of CreateVolume",
        action: "ec2:CreateTags",
        resource: { kind: "ec2", type: "volume" },
        context: { "ec2:CreateAction": "CreateVolume" },
        source: `${EBS_CSI} pkg/cloud/cloud.go:740 (tag specification on create); AWS EC2 user guide, "Grant permission to tag resources during creation"`,
      },
      ...(["volume", "instance"] as const).flatMap((type) =>
        ["AttachVolume", "DetachVolume"].map((op) => ({ call: `${op} (${type})`, action: `ec2:${op}`, resource: { kind: "ec2", type } as const, source: `${EBS_CSI} pkg/cloud/cloud.go:1301, 1417` })),
      ),
      { call: "ModifyVolume (a PVC resize)", action: "ec2:ModifyVolume", resource: { kind: "ec2", type: "volume" }, source: `${EBS_CSI} pkg/cloud/cloud.go:1118` },
      {
        call: "DeleteVolume of a volume it created",
        action: "ec2:DeleteVolume",
        resource: { kind: "ec2", type: "volume" },
        context: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" },
        source: `${EBS_CSI} pkg/cloud/cloud.go:1148`,
      },
    ],
  },
  {
    name: "Amazon VPC CNI (aws-node on every node, the node role)",
    identity: { kind: "service", service: "ec2.amazonaws.com" },
    calls: (
      [
        ["DescribeInstances", 1002, "any"],
        ["DescribeInstanceTypes", 2012, "any"],
        ["DescribeSubnets", 1315, "any"],
        ["DescribeNetworkInterfaces", 589, "any"],
        ["CreateNetworkInterface", 1426, "any"],
        ["AttachNetworkInterface", 1103, "network-interface"],
        ["ModifyNetworkInterfaceAttribute", 642, "network-interface"],
        ["AssignPrivateIpAddresses", 1989, "network-interface"],
        ["UnassignPrivateIpAddresses", 2283, "network-interface"],
        ["DetachNetworkInterface", 1532, "network-interface"],
        ["DeleteNetworkInterface", 1607, "network-interface"],
        ["CreateTags", 1477, "network-interface"],
      ] as const
    ).map(([op, line, on]) => ({
      call: op,
      action: `ec2:${op}`,
      resource: on === "any" ? ({ kind: "any" } as const) : ({ kind: "ec2", type: on } as const),
      source: `aws/amazon-vpc-cni-k8s@v1.22.4 pkg/awsutils/awsutils.go:${line}`,
    })),
  },
  {
    name: "Nodes pulling through ECR pull-through caches (kubelet, the node role)",
    identity: { kind: "service", service: "ec2.amazonaws.com" },
    calls: [
      { call: "GetAuthorizationToken", action: "ecr:GetAuthorizationToken", resource: { kind: "any" }, source: "AWS ECR user guide, \"Private image pull-through cache: IAM permissions\"; AmazonEC2ContainerRegistryReadOnly v3" },
      ...["BatchGetImage", "GetDownloadUrlForLayer", "BatchCheckLayerAvailability"].map((op) => ({
        call: op,
        action: `ecr:${op}`,
        resource: { kind: "cacheRepository" } as const,
        source: "AWS ECR user guide, \"Private image pull-through cache: IAM permissions\"; AmazonEC2ContainerRegistryReadOnly v3",
      })),
      ...["CreateRepository", "BatchImportUpstreamImage"].map((op) => ({
        call: `${op} (first pull of a cached image)`,
        action: `ecr:${op}`,
        resource: { kind: "cacheRepository" } as const,
        source: "AWS ECR user guide, \"Private image pull-through cache: IAM permissions\"",
      })),
    ],
  },
  {
    name: "S3 replication (primary -> DR replica)",
    identity: { kind: "service", service: "s3.amazonaws.com" },
    when: "disasterRecovery",
    calls: [
      ...["GetReplicationConfiguration", "ListBucket"].map((op) => ({ call: op, action: `s3:${op}`, resource: { kind: "bucket" } as const, source: `${S3_GUIDE}, "Setting up permissions for live replication"` })),
      ...["GetObjectVersionForReplication", "GetObjectVersionAcl", "GetObjectVersionTagging"].map((op) => ({
        call: op,
        action: `s3:${op}`,
        resource: { kind: "object", prefix: "pipelineRoot" } as const,
        source: `${S3_GUIDE}, "Setting up permissions for live replication"`,
      })),
    ],
  },
];

/**
 * What must stay refused, by the same evaluator: the fences the identities above stand for.
 * `principal` names a workload above; `resource` may name another team's prefix or a key outside a prefix.
 */
export interface Fence {
  readonly what: string;
  readonly workload: string;
  readonly action: string;
  readonly resource: "bucket" | "otherTeamRoot" | "outsideBackups" | "otherStackBackups" | "restoreSource" | "pipelineRoot";
  readonly listPrefix?: "otherTeamRoot";
}

export const AWS_FENCES: readonly Fence[] = [
  { what: "a team cannot read another team's artifacts", workload: "Team pipeline steps (the team's pipeline-runner)", action: "s3:GetObject", resource: "otherTeamRoot" },
  { what: "a team cannot list another team's artifacts", workload: "Team pipeline steps (the team's pipeline-runner)", action: "s3:ListBucket", resource: "bucket", listPrefix: "otherTeamRoot" },
  { what: "the backup job cannot delete outside its folder", workload: "Database backup (kfp-db-backup, upload.sh)", action: "s3:DeleteObject", resource: "outsideBackups" },
  { what: "the backup job cannot delete another stack's backups (the primary's, on a DR replica)", workload: "Database backup (kfp-db-backup, upload.sh)", action: "s3:DeleteObject", resource: "otherStackBackups" },
  { what: "the backup job cannot read pipeline artifacts", workload: "Database backup (kfp-db-backup, upload.sh)", action: "s3:GetObject", resource: "pipelineRoot" },
  { what: "the restore cannot delete a backup", workload: "Database restore (kfp-db-restore, download.sh)", action: "s3:DeleteObject", resource: "restoreSource" },
  { what: "the restore cannot overwrite a backup", workload: "Database restore (kfp-db-restore, download.sh)", action: "s3:PutObject", resource: "restoreSource" },
  { what: "the UI cannot write", workload: "KFP UI", action: "s3:PutObject", resource: "pipelineRoot" },
];

/** Actions no workload may hold on the bucket: turning versioning off, deleting it or its policy, rewriting its lifecycle. */
export const BUCKET_ADMIN_ACTIONS = ["s3:PutBucketVersioning", "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutLifecycleConfiguration"] as const;
