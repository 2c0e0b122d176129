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
import type { Foundation } from "../contract";
import { GkeCluster } from "./cluster";
import { gkeKubeconfig } from "./kubeconfig";
import { GcpNetwork } from "./network";

type GcpClusterConfig = Extract<StackConfig["cluster"], { target: "gcp" }>;

export interface GcpFoundationArgs {
  readonly cluster: GcpClusterConfig;
  readonly namespace: string;
  readonly objectStore: Extract<StackConfig["objectStore"], { kind: "minio" }>;
  readonly database: Extract<StackConfig["database"], { kind: "in-cluster" }>;
  readonly protectData: boolean;
  readonly images: ImageResolver;
  readonly podSecurity: PodSecurityLevel;
  /** The GPU Operator's pinned driver (gpu.operator.driverVersion), which every GPU pool runs. */
  readonly gpuOperatorDriver?: string;
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

  constructor(name: string, args: GcpFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:cloud:GcpFoundation", name, {}, opts);
    const { cluster: config } = args;
    const protect = args.protectData;
    const gcpProvider = new gcp.Provider(
      `${name}-gcp`,
      { project: config.project, region: config.region, defaultLabels: { "kfp-platform-cluster": config.name, "kfp-platform-managed-by": "pulumi" } },
      { parent: this },
    );
    const network = new GcpNetwork(`${name}-network`, { region: config.region, clusterName: config.name, ...config.network, provider: gcpProvider }, { parent: this });
    const gke = new GkeCluster(
      `${name}-gke`,
      { config, network: network.network.id, subnetwork: network.subnetwork.id, operatorDriver: args.gpuOperatorDriver, protect, provider: gcpProvider },
      { parent: this },
    );
    this.clusterName = gke.cluster.name;
    this.gpuPools = gke.gpuPools;
    this.kubeconfig = gkeKubeconfig({ clusterName: gke.cluster.name, endpoint: gke.cluster.endpoint, certificateAuthority: gke.cluster.masterAuth.clusterCaCertificate.apply((ca) => ca ?? "") });
    // Every Kubernetes object waits for the node pools: one `pulumi up` goes from nothing to KFP.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: gke.pools });
    this.namespace = args.namespace;
    this.namespaceResource = platformNamespace(`${name}-namespace`, args.namespace, args.podSecurity, { parent: this, provider: this.provider, protect });

    // GKE's default StorageClass (standard-rwo, the PD CSI driver) backs the in-cluster data services.
    const inCluster = { namespace: args.namespace, provider: this.provider, images: args.images, protectData: protect, dependsOn: [this.namespaceResource] };
    this.objectStore = inClusterObjectStore(`${name}-minio`, args.objectStore, inCluster, { parent: this });
    this.database = inClusterDatabase(`${name}-mysql`, args.database, inCluster, { parent: this });
    this.registerOutputs({ cluster: this.clusterName, namespace: this.namespace });
  }
}
