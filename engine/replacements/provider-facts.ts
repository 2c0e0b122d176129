// Replacement facts read from the providers' own source, for what the SDK doc strings do not say.
// Terraform-bridged types: the attributes marked ForceNew in the Terraform provider's resource schema.
// Kubernetes: the provider's own forceNew table. Each fact names its file and the commit read.

export interface Fact {
  /** Input paths (Pulumi names, dotted, no indices) whose change replaces the resource. */
  replaceOn: string[];
  source: string;
}

const TF_AWS = "hashicorp/terraform-provider-aws";
const aws = (file: string, commit: string, replaceOn: string[], note = ""): Fact => ({
  replaceOn,
  source: `${TF_AWS} ${file}@${commit.slice(0, 12)} ForceNew${note ? `; ${note}` : ""} (read 2026-12-07)`,
});
const awsEarlier = (file: string, replaceOn: string[]): Fact => ({ replaceOn, source: `${TF_AWS} ${file} ForceNew (read for engine/stateful.ts before 2026-12-07)` });

/** aws:* types whose schema was read, file by file. */
export const AWS_FACTS: Readonly<Record<string, Fact>> = {
  "aws:ec2/vpc:Vpc": aws("internal/service/ec2/vpc_.go", "00081ce41cc691433ac19bf42227cdabffd0454d", ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"]),
  "aws:ec2/subnet:Subnet": aws("internal/service/ec2/vpc_subnet.go", "00cda125a19d31754cb0d073cf551264c57955cb", [
    "availabilityZone", "availabilityZoneId", "cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength", "ipv6IpamPoolId", "ipv6Native", "ipv6NetmaskLength", "outpostArn", "vpcId",
  ]),
  "aws:ec2/natGateway:NatGateway": aws("internal/service/ec2/vpc_nat_gateway.go", "04088eaa54948421bf1ef7494ae2b2c01d9243e3", [
    "allocationId", "connectivityType", "privateIp", "secondaryPrivateIpAddressCount", "subnetId",
  ]),
  "aws:ec2/routeTable:RouteTable": aws("internal/service/ec2/vpc_route_table.go", "022092419b7cda11527df3c6b51cbfe1876c1722", ["vpcId"]),
  "aws:ec2/securityGroup:SecurityGroup": aws("internal/service/ec2/vpc_security_group.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["description", "name", "namePrefix", "vpcId"]),
  "aws:iam/role:Role": aws("internal/service/iam/role.go", "0040ea6911af00bea2cca6dbb14e86829826ad8e", ["name", "namePrefix", "path"]),
  "aws:eks/addon:Addon": aws("internal/service/eks/addon.go", "00a35305dc1b297a6fcdecdfbba33f1e63c3da39", ["addonName", "clusterName"]),
  "aws:eks/accessEntry:AccessEntry": aws("internal/service/eks/access_entry.go", "01f431114674c27cf790fafb67ac274bf8f765e1", ["clusterName", "principalArn", "type"]),
  "aws:ecr/repository:Repository": aws("internal/service/ecr/repository.go", "0072eea2d6046230a1fb7717741c17fd2122175e", [
    "encryptionConfiguration.#", "encryptionConfiguration.encryptionType", "encryptionConfiguration.kmsKey", "name",
  ]),
  "aws:iam/rolePolicy:RolePolicy": aws("internal/service/iam/role_policy.go", "02f97af85f89a04e8ed89f5e8b64a9a67f3cfe07", ["name", "namePrefix", "role"]),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": aws("internal/service/iam/role_policy_attachment.go", "04c79849dbe7fbe76c3054b364357bcdaade9ac5", ["policyArn", "role"]),
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": aws("internal/service/s3/bucket_public_access_block.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["bucket"]),
  "aws:s3/bucketVersioning:BucketVersioning": aws("internal/service/s3/bucket_versioning.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", ["bucket", "expectedBucketOwner"]),
  "aws:cloudwatch/logGroup:LogGroup": aws("internal/service/logs/group.go", "0073593e7d6993ba482409f4dc35438daaa79bb3", ["logGroupClass", "name", "namePrefix"]),
  "aws:ec2/routeTableAssociation:RouteTableAssociation": aws("internal/service/ec2/vpc_route_table_association.go", "0be71beb458ad8875e0acc5c91519c0ceeb214aa", ["gatewayId", "subnetId"]),
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": aws("internal/service/iam/openid_connect_provider.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["url"]),
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": aws("internal/service/eks/access_policy_association.go", "01f431114674c27cf790fafb67ac274bf8f765e1", [
    "accessScope.#", "accessScope.namespaces", "accessScope.type", "clusterName", "policyArn", "principalArn",
  ]),
  "aws:s3/bucketPolicy:BucketPolicy": aws("internal/service/s3/bucket_policy.go", "0073593e7d6993ba482409f4dc35438daaa79bb3", ["bucket"]),
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": aws("internal/service/s3/bucket_ownership_controls.go", "01c08000ddb14181b5bd19201d8fca311dc570e4", ["bucket"]),
  // No ForceNew field: the gateway moves between VPCs by detach and attach.
  "aws:ec2/internetGateway:InternetGateway": aws("internal/service/ec2/vpc_internet_gateway.go", "08923b68b5ad6fcfdd38362fb5247e39a9b07add", []),
  "aws:autoscaling/tag:Tag": aws("internal/service/autoscaling/group_tag.go", "050ac11163cab8cdae5936a7f40b0e528ff780df", ["autoscalingGroupName", "tag.key"]),
  "aws:ecr/pullThroughCacheRule:PullThroughCacheRule": aws("internal/service/ecr/pull_through_cache_rule.go", "0509e60e8e895c393eb27fcebb30cceceff51528", [
    "ecrRepositoryPrefix", "upstreamRegistryUrl", "upstreamRepositoryPrefix",
  ]),
  "aws:ec2/eip:Eip": aws("internal/service/ec2/ec2_eip.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["address", "domain", "ipamPoolId", "networkBorderGroup", "publicIpv4Pool"]),
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": aws(
    "internal/service/s3/bucket_server_side_encryption_configuration.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["bucket", "expectedBucketOwner"],
  ),
  // RequiresReplace on security_group_id; ModifyPlan also replaces when the rule's source kind changes
  // (cidrIpv4 to referencedSecurityGroupId, say), which a path list cannot say: a kind switch shows as an update.
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": aws("internal/service/ec2/vpc_security_group_ingress_rule.go", "00a322094b4b9ade8a81b244345dbcf4b52ee8d6", ["securityGroupId"]),
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": aws(
    "internal/service/s3/bucket_lifecycle_configuration.go", "01606926a0c0ab9174aec440f976a48b0baee722", ["bucket", "expectedBucketOwner"],
  ),
  // Only name and name_prefix are ForceNew; any other change is a new template version (Update: CreateLaunchTemplateVersion).
  // CustomizeDiff only marks default_version/latest_version computed. The newer aws-sdk-go-v2 version of the
  // file the index holds (no commit shown) marks the same two fields.
  "aws:ec2/launchTemplate:LaunchTemplate": aws("internal/service/ec2/ec2_launch_template.go", "025e4f81cab8553cb052aebfcc5987e2aa8c702a", ["name", "namePrefix"]),
  // CustomizeDiff also forces new on private_dns_enabled when it changes and vpc_endpoint_type is not
  // Interface: the kit's endpoint is a Gateway (modules/cloud/aws/network.ts), so it is listed.
  "aws:ec2/vpcEndpoint:VpcEndpoint": aws("internal/service/ec2/vpc_endpoint.go", "008db85aad5e56627b1eecab8830464a282552ed", [
    "dnsOptions.privateDnsPreference", "dnsOptions.privateDnsSpecifiedDomains", "privateDnsEnabled", "resourceConfigurationArn",
    "serviceName", "serviceNetworkArn", "serviceRegion", "vpcEndpointType", "vpcId",
  ], "CustomizeDiff ForceNew on privateDnsEnabled only when vpcEndpointType is not Interface"),
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig": aws("internal/service/s3/bucket_replication_configuration.go", "e96a78948f415f154c6adf85d9ed83ef49e7e373", ["bucket"]),
  "aws:rds/instance:Instance": awsEarlier("internal/service/rds/instance.go", [
    "availabilityZone", "backupTarget", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "kmsKeyId",
    "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username",
  ]),
  "aws:s3/bucket:Bucket": awsEarlier("internal/service/s3/bucket.go", ["bucket", "bucketPrefix", "objectLockEnabled"]),
  "aws:eks/cluster:Cluster": awsEarlier("internal/service/eks/cluster.go", [
    "name", "roleArn", "bootstrapSelfManagedAddons", "accessConfig.bootstrapClusterCreatorAdminPermissions",
    "kubernetesNetworkConfig.ipFamily", "kubernetesNetworkConfig.serviceIpv4Cidr", "outpostConfig",
  ]),
  "aws:eks/nodeGroup:NodeGroup": awsEarlier("internal/service/eks/node_group.go", [
    "amiType", "capacityType", "clusterName", "diskSize", "instanceTypes", "launchTemplate.id", "launchTemplate.name",
    "nodeGroupName", "nodeGroupNamePrefix", "nodeRoleArn", "remoteAccess", "subnetIds",
  ]),
  "aws:kms/key:Key": awsEarlier("internal/service/kms/key.go", ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"]),
  "aws:rds/parameterGroup:ParameterGroup": awsEarlier("internal/service/rds/parameter_group.go", ["description", "family", "name", "namePrefix"]),
  "aws:rds/subnetGroup:SubnetGroup": awsEarlier("internal/service/rds/subnet_group.go", ["name", "namePrefix"]),
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": awsEarlier("internal/service/rds/instance_automated_backups_replication.go", [
    "kmsKeyId", "preSignedUrl", "retentionPeriod", "sourceDbInstanceArn",
  ]),
};

// pulumi/pulumi-kubernetes provider/pkg/provider/diff.go at 94977969d641 (2026-07-01; read 2026-12-07):
// forceNewProperties() = metadata.name and metadata.namespace for every kind, plus a table per kind.
// Secrets replace on type/data/stringData and ConfigMaps on data/binaryData unless the provider sets
// enableSecretMutable / enableConfigMapMutable (the kit's providers set neither: modules/cloud/*/index.ts).
// Helm releases replace on name and namespace (provider/pkg/provider/helm_release.go, forceNewFields).
export const KUBERNETES_SOURCE = "pulumi/pulumi-kubernetes provider/pkg/provider/diff.go@94977969d641 forceNewProperties (read 2026-12-07)";
const selector = (p: string) => [p, `${p}.matchExpressions`, `${p}.matchLabels`];
const KUBERNETES_KINDS: Readonly<Record<string, string[]>> = {
  "apps/DaemonSet": selector("spec.selector"),
  "apps/Deployment": selector("spec.selector"),
  "apps/StatefulSet": ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.serviceName", "spec.volumeClaimTemplates", ...selector("spec.selector")],
  "batch/Job": ["spec.completions", "spec.parallelism", "spec.template", ...selector("spec.selector")],
  "core/PersistentVolumeClaim": ["spec.accessModes", "spec.storageClassName", "spec.volumeName", ...selector("spec.selector")],
  "core/ResourceQuota": ["spec.scopes"],
  "core/Secret": ["type", "data", "stringData"],
  "core/ConfigMap": ["data", "binaryData"],
  "core/Service": ["spec.clusterIP"],
  "policy/PodDisruptionBudget": ["spec"],
  "rbac.authorization.k8s.io/ClusterRoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io/RoleBinding": ["roleRef"],
  "storage.k8s.io/StorageClass": ["parameters", "provisioner"],
};

/** The provider's replacing paths for a `kubernetes:<group>/<version>:<Kind>` type. */
export function kubernetesFact(type: string): Fact {
  if (type === "kubernetes:helm.sh/v3:Release") {
    return { replaceOn: ["name", "namespace"], source: "pulumi/pulumi-kubernetes provider/pkg/provider/helm_release.go@94977969d641 forceNewFields (read 2026-12-07)" };
  }
  const [, groupVersion, kind] = type.split(":");
  const group = groupVersion.split("/").slice(0, -1).join("/");
  return { replaceOn: ["metadata.name", "metadata.namespace", ...(KUBERNETES_KINDS[`${group}/${kind}`] ?? [])], source: KUBERNETES_SOURCE };
}

/** Why `region` replaces every Region-aware aws type (added by buildTable where the SDK has the input). */
export const AWS_REGION_FACT =
  "hashicorp/terraform-provider-aws website/docs/guides/enhanced-region-support.html.markdown@0cb788ce0d5a: the top-level region is Optional and Computed, defaults to the provider's, and changing it forces resource replacement (read 2026-12-07)";

// pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go at 59de6c661df1 (tag v3.136.0; read 2026-12-07):
// configDiffer.DiffConfig turns a changed config key into a replacement only when the provider's
// Config SchemaInfo for it sets ForcesProviderReplace (and the old inputs held the key); anything else
// is an update. pkg/pf/tfbridge/provider_diffconfig.go reuses it for plugin-framework providers.
const BRIDGE_DIFFCONFIG = "pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go@59de6c661df1 (v3.136.0) configDiffer.DiffConfig";

/**
 * Provider resources: replacing one replaces everything created through it. The Kubernetes provider's
 * DiffConfig replaces it when the active cluster of its kubeconfig changes (provider.go DiffConfig:
 * kubeconfig, context, cluster; or clusterIdentifier when set). The bridged aws and gcp providers set
 * ForcesProviderReplace on no config key, so no config change replaces them. Read at the commits named,
 * not at the installed @pulumi/aws 7.48.0 / @pulumi/gcp 9.37.0 tags, which the stored copies lack.
 */
export const PROVIDER_FACTS: Readonly<Record<string, Fact>> = {
  "pulumi:providers:kubernetes": {
    replaceOn: ["kubeconfig", "context", "cluster", "clusterIdentifier"],
    source: "pulumi/pulumi-kubernetes provider/pkg/provider/provider.go@94977969d641 DiffConfig (read 2026-12-07)",
  },
  // v7 sends a provider region change to each regional resource's own `region` input instead
  // (provider/region.go applyRegion), which replaces it: plan-diff.ts carries the provider's region down.
  "pulumi:providers:aws": {
    replaceOn: [],
    source: `${BRIDGE_DIFFCONFIG}; pulumi/pulumi-aws provider/resources.go@0c5f6583ebfb (v7) Config: no ForcesProviderReplace (read 2026-12-07)`,
  },
  "pulumi:providers:gcp": {
    replaceOn: [],
    source: `${BRIDGE_DIFFCONFIG}; pulumi/pulumi-gcp provider/resources.go@ed6078aacc64 (after v9.35.0, bridge v3.137.0) Config: no ForcesProviderReplace (read 2026-12-07)`,
  },
};

/**
 * Types whose provider source has not been read here yet: their entry says so, and the diff marks their
 * changes "update?" instead of claiming an in-place update. Read the file, then move the type up.
 */
export const NOT_READ: Readonly<Record<string, string>> = {};
