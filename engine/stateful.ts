// What a reviewer of a plan diff must not miss: changes to resources that hold state, and input changes
// that make the provider replace a resource (delete, then create: for a database or a bucket, its data).
// Replacement properties are terraform-provider-aws's ForceNew fields (which @pulumi/aws inherits) for
// the types the kit creates, read in internal/service/{rds,s3,eks,kms}/*.go; for Kubernetes, object
// names and a PersistentVolumeClaim's spec (immutable but for resources.requests.storage:
// pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate).

/** Types whose loss loses data or capacity: databases, buckets, clusters, node groups, volumes, keys. */
export const STATEFUL_TYPES: ReadonlySet<string> = new Set([
  "aws:rds/instance:Instance",
  "aws:s3/bucket:Bucket",
  "aws:eks/cluster:Cluster",
  "aws:eks/nodeGroup:NodeGroup",
  "aws:kms/key:Key",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "gcp:sql/databaseInstance:DatabaseInstance",
  "gcp:storage/bucket:Bucket",
  "gcp:container/cluster:Cluster",
  "gcp:container/nodePool:NodePool",
]);

/** Input paths (dotted, Pulumi's names) whose change replaces the resource, per type. A path matches itself and anything below it. */
const REPLACE_ON: Readonly<Record<string, readonly string[]>> = {
  // internal/service/rds/instance.go
  "aws:rds/instance:Instance": [
    "availabilityZone", "backupTarget", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "kmsKeyId",
    "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username",
  ],
  // internal/service/s3/bucket.go
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  // internal/service/eks/cluster.go
  "aws:eks/cluster:Cluster": [
    "name", "roleArn", "bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "kubernetesNetworkConfig.ipFamily", "kubernetesNetworkConfig.serviceIpv4Cidr", "outpostConfig",
  ],
  // internal/service/eks/node_group.go
  "aws:eks/nodeGroup:NodeGroup": [
    "amiType", "capacityType", "clusterName", "diskSize", "instanceTypes", "launchTemplate.id", "launchTemplate.name",
    "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "remoteAccess", "subnetIds",
  ],
  // internal/service/kms/key.go
  "aws:kms/key:Key": ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
  // internal/service/rds/parameter_group.go, subnet_group.go, instance_automated_backups_replication.go
  "aws:rds/parameterGroup:ParameterGroup": ["description", "family", "name", "namePrefix"],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": ["kmsKeyId", "preSignedUrl", "retentionPeriod", "sourceDbInstanceArn"],
};

const matches = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`);

/** The changed paths that make the provider replace the resource (empty: updated in place). */
export function replacingPaths(type: string, paths: readonly string[]): string[] {
  if (type.startsWith("kubernetes:")) {
    return paths.filter(
      (p) =>
        matches(p, "metadata.name") ||
        matches(p, "metadata.namespace") ||
        (type === "kubernetes:core/v1:PersistentVolumeClaim" && matches(p, "spec") && !matches(p, "spec.resources.requests.storage")),
    );
  }
  const forced = REPLACE_ON[type] ?? [];
  return paths.filter((p) => forced.some((f) => matches(p, f)));
}

/**
 * The input holding a resource's own name where the kit sets it: a replacement that keeps that name cannot
 * create the new resource beside the old one, so Pulumi deletes first (pulumi-terraform-bridge
 * nameRequiresDeleteBeforeReplace: an auto-nameable property set explicitly makes the replacement
 * delete-before-replace; the Kubernetes provider does the same for objects with metadata.name set).
 */
const PHYSICAL_NAME: Readonly<Record<string, string>> = {
  "aws:eks/nodeGroup:NodeGroup": "nodeGroupName",
  "aws:eks/cluster:Cluster": "name",
  "aws:s3/bucket:Bucket": "bucket",
  "aws:rds/instance:Instance": "identifier",
  "aws:rds/parameterGroup:ParameterGroup": "name",
  "aws:rds/subnetGroup:SubnetGroup": "name",
  "aws:iam/role:Role": "name",
  "gcp:serviceaccount/account:Account": "accountId",
  "gcp:artifactregistry/repository:Repository": "repositoryId",
};

function physicalName(type: string): string | undefined {
  if (type.startsWith("kubernetes:")) return "metadata.name";
  return PHYSICAL_NAME[type] ?? (type.startsWith("gcp:") ? "name" : undefined);
}

const at = (value: unknown, path: string): unknown =>
  path.split(".").reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined), value);

/** Whether replacing the resource deletes it before its successor exists (downtime): it keeps its own name. */
export function deletesBeforeCreate(type: string, inputs: unknown, changed: readonly string[]): boolean {
  const field = physicalName(type);
  if (!field || at(inputs, field) === undefined) return false;
  return !changed.some((p) => matches(p, field) || (type.startsWith("kubernetes:") && matches(p, "metadata.namespace")));
}
