// The `aws` foundation: one `pulumi up` from an empty region to a cluster KFP can run on. A VPC (or
// existing subnets), EKS with pinned add-ons and node groups, the Cluster Autoscaler, a gp3 default
// StorageClass, and the contract's object store and database: S3 with IRSA and RDS MySQL (or, in dev,
// the in-cluster MinIO and MySQL). Built from @pulumi/aws resources, so the plan and the policies see
// every child (@pulumi/eks and @pulumi/awsx are remote components whose children the plan cannot see).
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { inClusterDatabase, inClusterObjectStore } from "../../data/in-cluster";
import type { ImageResolver } from "../../images";
import { OBJECT_STORE_CLIENTS, type ObjectStoreClient, type ObjectStoreReader } from "../../foundation/names";
import { kitMeta } from "../../k8s/metadata";
import { platformNamespace } from "../../k8s/namespace";
import type { PodSecurityLevel } from "../../k8s/pod-security";
import type { Database, Foundation, ObjectStore } from "../../foundation/contract";
import { ClusterAutoscaler } from "./autoscaler";
import { ArtifactBucket, s3Endpoint } from "./bucket";
import { EksCluster } from "./cluster";
import { DisasterRecoveryCopies } from "./dr-copies";
import { eksKubeconfig } from "./kubeconfig";
import { AwsNetwork, s3GatewayEndpoint, type NetworkOutputs } from "./network";
import { ecrCacheSettings } from "../../images/ecr-caches";
import { EcrImageCaches } from "./image-caches";
import { EksNodeGroups } from "./node-groups";
import { RdsMysql } from "./rds";

type AwsClusterConfig = Extract<StackConfig["cluster"], { target: "aws" }>;

export interface AwsFoundationArgs {
  readonly cluster: AwsClusterConfig;
  readonly namespace: string;
  readonly objectStore: Extract<StackConfig["objectStore"], { kind: "s3" | "minio" }>;
  readonly database: Extract<StackConfig["database"], { kind: "rds" | "in-cluster" }>;
  readonly protectData: boolean;
  readonly images: ImageResolver;
  readonly podSecurity: PodSecurityLevel;
  /** The pipeline root's path in the bucket, so the IAM policies name exactly that prefix. */
  readonly pipelineRootPath: string;
  /** Read-only clients of the pipeline root that get an IRSA role (single-user KFP: viewers, the visualization server). */
  readonly objectStoreReaders: readonly ObjectStoreReader[];
  /** Team name -> IAM roles that EKS access entries map to the team's Kubernetes group. */
  readonly teamPrincipals: Readonly<Record<string, readonly string[]>>;
  /** backup.retentionDays, which the DR replica's own lifecycle follows. */
  readonly backupRetentionDays: number;
}

/** The default StorageClass the kit creates: EBS gp3, encrypted, bound where the pod lands. */
export const GP3_STORAGE_CLASS = "gp3";

export class AwsFoundation extends pulumi.ComponentResource implements Foundation {
  readonly provider: k8s.Provider;
  readonly namespace: string;
  readonly namespaceResource: k8s.core.v1.Namespace;
  readonly objectStore: ObjectStore;
  readonly database: Database;
  readonly gpuPools: Foundation["gpuPools"];
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  /** Pull-through cache rules and mirror repositories in the account's ECR. */
  readonly imageCaches: EcrImageCaches;
  /** The copies in the DR region (cluster.disasterRecovery). */
  readonly disasterRecovery?: DisasterRecoveryCopies;
  readonly stackOutputs: Foundation["stackOutputs"];

  constructor(name: string, args: AwsFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:cloud:AwsFoundation", name, {}, opts);
    const { cluster: config } = args;
    const protect = args.protectData;
    const awsProvider = new aws.Provider(
      `${name}-aws`,
      { region: config.region as aws.Region, allowedAccountIds: [config.accountId], defaultTags: { tags: { "kfp-platform/cluster": config.name, "kfp-platform/managed-by": "pulumi" } } },
      { parent: this },
    );
    const awsOpts = { parent: this, provider: awsProvider };

    const network: NetworkOutputs = config.network
      ? new AwsNetwork(`${name}-network`, { region: config.region, clusterName: config.name, ...config.network, natGateways: config.network.natGateways ?? "one", provider: awsProvider }, { parent: this })
      : existingNetwork(`${name}-network`, config.region, config.existingNetwork!, awsOpts);

    const eks = new EksCluster(`${name}-eks`, { config, teamPrincipals: args.teamPrincipals, subnetIds: network.privateSubnetIds, protect, provider: awsProvider }, { parent: this });
    this.clusterName = eks.name;
    // Nodes join only once the CNI and kube-proxy exist; CoreDNS and the EBS driver need nodes to run on.
    const beforeNodes = [eks.addon(`${name}-vpc-cni`, "vpc-cni", config), eks.addon(`${name}-kube-proxy`, "kube-proxy", config)];
    const nodes = new EksNodeGroups(
      `${name}-nodes`,
      { config, clusterName: eks.name, subnetIds: network.privateSubnetIds, provider: awsProvider, dependsOn: beforeNodes },
      { parent: this },
    );
    this.imageCaches = new EcrImageCaches(`${name}-image-caches`, { settings: ecrCacheSettings(config), nodeRoleName: nodes.roleName, provider: awsProvider }, { parent: this });
    const afterNodes = [
      eks.addon(`${name}-coredns`, "coredns", config, { dependsOn: [nodes.system] }),
      eks.addon(`${name}-ebs-csi`, "aws-ebs-csi-driver", config, { serviceAccountRoleArn: eks.ebsCsiRole(`${name}-ebs-csi`, config.region).arn, dependsOn: [nodes.system] }),
    ];

    this.kubeconfig = eksKubeconfig({ clusterName: eks.name, endpoint: eks.cluster.endpoint, certificateAuthority: eks.cluster.certificateAuthority.data, region: config.region });
    // Every Kubernetes object waits for the provider, and the provider for nodes and DNS: one `pulumi up`
    // goes from nothing to KFP without objects timing out on an empty cluster.
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...eks.access, ...beforeNodes, ...nodes.all, ...afterNodes, ...this.imageCaches.readyResources] },
    );
    const k8sOpts = { parent: this, provider: this.provider };
    const storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: kitMeta(GP3_STORAGE_CLASS, undefined, {}, { "storageclass.kubernetes.io/is-default-class": "true" }),
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true" },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Delete",
      },
      k8sOpts,
    );
    this.namespace = args.namespace;
    this.namespaceResource = platformNamespace(`${name}-namespace`, args.namespace, args.podSecurity, { ...k8sOpts, protect });

    const dataKey =
      (args.objectStore.kind === "s3" && !args.objectStore.existingBucket) || (args.database.kind === "rds" && !args.database.restoreFrom)
        ? new aws.kms.Key(`${name}-data-key`, { description: `${config.name}: KFP artifacts and database`, enableKeyRotation: true, deletionWindowInDays: 30 }, { ...awsOpts, protect })
        : undefined;
    const inCluster = {
      namespace: args.namespace,
      provider: this.provider,
      images: args.images,
      storageClass: GP3_STORAGE_CLASS,
      protectData: protect,
      dependsOn: [this.namespaceResource, storageClass],
    };

    let bucket: ArtifactBucket | undefined;
    if (args.objectStore.kind === "s3") {
      const store = args.objectStore;
      bucket = new ArtifactBucket(
        `${name}-artifacts`,
        {
          config: store,
          region: config.region,
          kmsKeyArn: dataKey?.arn,
          irsa: store.auth === "irsa" ? { oidc: eks.oidc, namespace: args.namespace, pipelineRootPath: args.pipelineRootPath, readers: args.objectStoreReaders } : undefined,
          protect,
          provider: awsProvider,
        },
        { parent: this },
      );
      this.objectStore = {
        kind: "s3",
        bucket: store.bucket,
        endpoint: s3Endpoint(config.region),
        region: config.region,
        secure: true,
        auth:
          store.auth === "irsa"
            ? { kind: "aws-role", mechanism: "irsa", roleArns: everyClient(bucket.roleArns) }
            : { kind: "secret", secretName: store.keysSecret!, accessKeyKey: "accesskey", secretKeyKey: "secretkey" },
        readyResources: bucket.ready,
        ...(store.auth === "irsa"
          ? { scopedIdentity: (roleName, request, parent) => ({ "eks.amazonaws.com/role-arn": bucket!.scopedRole(roleName, request, parent).arn }) }
          : {}),
      };
    } else {
      this.objectStore = inClusterObjectStore(`${name}-minio`, args.objectStore, inCluster, { parent: this });
    }

    let rds: RdsMysql | undefined;
    if (args.database.kind === "rds") {
      rds = new RdsMysql(
        `${name}-rds`,
        {
          config: args.database,
          identifier: `${config.name}-kfp`,
          vpcId: network.vpcId,
          subnetIds: network.privateSubnetIds,
          clientSecurityGroupId: eks.securityGroupId,
          kmsKeyArn: dataKey?.arn,
          protect,
          namespace: args.namespace,
          images: args.images,
          awsProvider,
          k8sProvider: this.provider,
          dependsOn: [this.namespaceResource],
        },
        { parent: this },
      );
      this.database = rds.database;
    } else {
      this.database = inClusterDatabase(`${name}-mysql`, args.database, inCluster, { parent: this });
    }

    new ClusterAutoscaler(
      `${name}-autoscaler`,
      { clusterName: config.name, region: config.region, oidc: eks.oidc, images: args.images, awsProvider, k8sProvider: this.provider },
      { parent: this },
    );
    if (config.disasterRecovery && bucket && args.objectStore.kind === "s3") {
      this.disasterRecovery = new DisasterRecoveryCopies(
        `${name}-dr`,
        {
          config: config.disasterRecovery,
          clusterName: config.name,
          accountId: config.accountId,
          region: config.region,
          primaryProvider: awsProvider,
          source: { bucket, store: args.objectStore, kmsKeyArn: dataKey!.arn },
          databaseArn: rds?.instance.arn,
          backupRetentionDays: args.backupRetentionDays,
          protect,
        },
        { parent: this },
      );
    }
    this.gpuPools = nodes.gpuPools;
    this.stackOutputs = {
      cluster: { name: this.clusterName, kubeconfig: this.kubeconfig },
      // What a DR stack's config names (docs/disaster-recovery.md): the replica's key and the backups.
      ...(this.disasterRecovery
        ? {
            disasterRecovery: {
              replicaBucket: this.disasterRecovery.replicaBucket.name,
              replicaKmsKeyArn: this.disasterRecovery.kmsKeyArn,
              automatedBackupsArn: this.disasterRecovery.backupsReplication?.id,
            },
          }
        : {}),
    };
    this.registerOutputs({ clusterName: this.clusterName, namespace: this.namespace });
  }
}

/** Subnets someone else made; the kit adds only the S3 gateway endpoint, where route tables are given. */
function existingNetwork(name: string, region: string, existing: NonNullable<AwsClusterConfig["existingNetwork"]>, opts: pulumi.CustomResourceOptions): NetworkOutputs {
  if (existing.privateRouteTableIds) s3GatewayEndpoint(`${name}-s3`, { region, vpcId: existing.vpcId, routeTableIds: existing.privateRouteTableIds }, opts);
  return { vpcId: existing.vpcId, privateSubnetIds: existing.privateSubnetIds };
}

/** The bucket's IRSA roles for every object-store client (and the readers asked for); a missing client's is a bug in this module. */
function everyClient(
  roleArns: Partial<Record<ObjectStoreClient | ObjectStoreReader, pulumi.Output<string>>>,
): Record<ObjectStoreClient, pulumi.Output<string>> & Partial<Record<ObjectStoreReader, pulumi.Output<string>>> {
  for (const client of Object.values(OBJECT_STORE_CLIENTS)) {
    if (!roleArns[client]) throw new Error(`internal: no IRSA role for service account ${client}`);
  }
  return roleArns as Record<ObjectStoreClient, pulumi.Output<string>>;
}

