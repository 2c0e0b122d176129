// The `gcp` foundation: one `pulumi up` from an existing, empty GCP project to a GKE cluster KFP can run
// on: the network with Cloud NAT, GKE Standard pinned to one build, its node pools (GPU pools with the
// GPU Operator's pinned driver), and the contract's object store and database. Built from @pulumi/gcp
// resources, so the plan and the policies see every child.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { inClusterDatabase, inClusterObjectStore } from "../../data/in-cluster";
import type { ImageResolver } from "../../images";
import { platformNamespace } from "../../k8s/namespace";
import type { PodSecurityLevel } from "../../k8s/pod-security";
import type { Foundation, ObjectStore } from "../../foundation/contract";
import { objectMeta } from "../../k8s/metadata";
import { ARTIFACT_KEY_SECRET, OBJECT_STORE_READERS, type ObjectStoreReader } from "../../foundation/names";
import { GcsArtifactBucket } from "./bucket";
import { CloudSqlMysql } from "./cloudsql";
import { ArtifactRegistryCaches } from "./registry-caches";
import { gcpImageCaches } from "../../images/artifact-registry-caches";
import { GkeCluster } from "./cluster";
import { gkeKubeconfig } from "./kubeconfig";
import { GcpNetwork, PODS_RANGE, SERVICES_RANGE } from "./network";

type GcpClusterConfig = Extract<StackConfig["cluster"], { target: "gcp" }>;

/** GCS's XML API, which speaks the S3 protocol with HMAC keys (cloud.google.com/storage/docs/interoperability). */
export const GCS_S3_ENDPOINT = "storage.googleapis.com";

export interface GcpFoundationArgs {
  readonly cluster: GcpClusterConfig;
  readonly namespace: string;
  readonly objectStore: Extract<StackConfig["objectStore"], { kind: "minio" | "gcs" }>;
  readonly database: Extract<StackConfig["database"], { kind: "in-cluster" | "cloudsql" }>;
  readonly protectData: boolean;
  readonly images: ImageResolver;
  readonly podSecurity: PodSecurityLevel;
  /** The GPU Operator's pinned driver (gpu.operator.driverVersion), which every GPU pool runs. */
  readonly gpuOperatorDriver?: string;
  /** Read-only clients of the pipeline root that get a Google service account (single-user KFP: viewers, the visualization server). */
  readonly objectStoreReaders: readonly ObjectStoreReader[];
}

export class GcpFoundation extends pulumi.ComponentResource implements Foundation {
  readonly provider: k8s.Provider;
  readonly namespace: string;
  readonly namespaceResource: k8s.core.v1.Namespace;
  readonly objectStore: Foundation["objectStore"];
  readonly database: Foundation["database"];
  readonly gpuPools: Foundation["gpuPools"];
  readonly clusterName: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly stackOutputs: Foundation["stackOutputs"];

  constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:cloud:GcpFoundation", name, {}, opts);
    const { cluster: config } = args;
    const protect = args.protectData;
    const gcpProvider = new gcp.Provider(
      `${name}-gcp`,
      { project: config.project, region: config.region, defaultLabels: { "kfp-platform-cluster": config.name, "kfp-platform-managed-by": "pulumi" } },
      { parent: this },
    );
    const existing = config.existingNetwork;
    const created = existing ? undefined : new GcpNetwork(`${name}-network`, { region: config.region, clusterName: config.name, ...config.network, provider: gcpProvider }, { parent: this });
    const networkId: pulumi.Input<string> = existing ? existing.network : created!.network.id;
    const gke = new GkeCluster(
      `${name}-gke`,
      {
        config,
        network: networkId,
        subnetwork: existing ? existing.subnetwork : created!.subnetwork.id,
        ranges: existing ? { pods: existing.podsRangeName, services: existing.servicesRangeName } : { pods: PODS_RANGE, services: SERVICES_RANGE },
        operatorDriver: args.gpuOperatorDriver,
        protect,
        provider: gcpProvider,
      },
      { parent: this },
    );
    this.clusterName = gke.cluster.name;
    const caches = new ArtifactRegistryCaches(`${name}-image-caches`, { plan: gcpImageCaches(config), region: config.region, nodeServiceAccount: gke.nodeServiceAccount, provider: gcpProvider }, { parent: this });
    this.gpuPools = gke.gpuPools;
    this.kubeconfig = gkeKubeconfig({ clusterName: gke.cluster.name, endpoint: gke.cluster.endpoint, certificateAuthority: gke.cluster.masterAuth.clusterCaCertificate.apply((ca) => ca ?? "") });
    // Every Kubernetes object waits for the node pools: one `pulumi up` goes from nothing to KFP.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [...gke.pools, ...caches.readyResources] });
    this.namespace = args.namespace;
    this.namespaceResource = platformNamespace(`${name}-namespace`, args.namespace, args.podSecurity, { parent: this, provider: this.provider, protect });

    // GKE's default StorageClass (standard-rwo, the PD CSI driver) backs the in-cluster data services.
    const inCluster = { namespace: args.namespace, provider: this.provider, images: args.images, protectData: protect, dependsOn: [this.namespaceResource] };
    if (args.objectStore.kind === "gcs") {
      const bucket = new GcsArtifactBucket(
        `${name}-artifacts`,
        { config: args.objectStore, project: config.project, location: config.region, clusterName: config.name, namespace: args.namespace, protect, cluster: gke.cluster, readers: args.objectStoreReaders, provider: gcpProvider },
        { parent: this },
      );
      // The HMAC key the API server and Argo's log archive use (the S3 protocol at storage.googleapis.com).
      const keys = new k8s.core.v1.Secret(
        `${name}-artifact-keys`,
        { metadata: objectMeta(ARTIFACT_KEY_SECRET, args.namespace), type: "Opaque", stringData: { accesskey: bucket.hmac.accessId, secretkey: pulumi.secret(bucket.hmac.secret) } },
        { parent: this, provider: this.provider, dependsOn: [this.namespaceResource] },
      );
      this.objectStore = {
        kind: "gcs",
        bucket: args.objectStore.bucket,
        endpoint: GCS_S3_ENDPOINT,
        // Google's own S3-interoperability samples sign for region "auto".
        region: "auto",
        secure: true,
        auth: { kind: "secret", secretName: ARTIFACT_KEY_SECRET, accessKeyKey: "accesskey", secretKeyKey: "secretkey" },
        clientAnnotations: workloadIdentity(bucket.serviceAccounts),
        readyResources: [...bucket.ready, keys],
      };
    } else {
      this.objectStore = inClusterObjectStore(`${name}-minio`, args.objectStore, inCluster, { parent: this });
    }
    this.database =
      args.database.kind === "cloudsql"
        ? new CloudSqlMysql(
            `${name}-cloudsql`,
            {
              config: args.database,
              project: config.project,
              region: config.region,
              clusterName: config.name,
              network: networkId,
              privateServicesCidr: config.network.privateServicesCidr,
              networkReady: created ? [created.subnetwork] : [],
              namespace: args.namespace,
              protect,
              images: args.images,
              cluster: gke.cluster,
              provider: gcpProvider,
              k8sProvider: this.provider,
              dependsOn: [this.namespaceResource],
            },
            { parent: this },
          ).database
        : inClusterDatabase(`${name}-mysql`, args.database, inCluster, { parent: this });
    this.stackOutputs = { cluster: { name: this.clusterName, kubeconfig: this.kubeconfig } };
    this.registerOutputs({ cluster: this.clusterName, namespace: this.namespace });
  }
}

/** Each client's (and reader's) Kubernetes service account annotated with its Google service account (Workload Identity). */
function workloadIdentity(accounts: GcsArtifactBucket["serviceAccounts"]): NonNullable<ObjectStore["clientAnnotations"]> {
  const annotation = (account: gcp.serviceaccount.Account) => ({ "iam.gke.io/gcp-service-account": account.email });
  const readers = Object.values(OBJECT_STORE_READERS).flatMap((reader) => (accounts[reader] ? [[reader, annotation(accounts[reader])] as const] : []));
  return {
    "ml-pipeline": annotation(accounts["ml-pipeline"]),
    "ml-pipeline-ui": annotation(accounts["ml-pipeline-ui"]),
    "pipeline-runner": annotation(accounts["pipeline-runner"]),
    ...Object.fromEntries(readers),
  };
}
