// The `existing` foundation: a cluster someone else made (kind, k3d, minikube, on-prem), reached
// through a kubeconfig context, with in-cluster MinIO and MySQL filling the object-store and database
// slots of the contract. Needs no cloud account.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { ImageResolver } from "../../images";
import { inClusterDatabase, inClusterObjectStore } from "../../data/in-cluster";
import { platformNamespace } from "../../k8s/namespace";
import type { PodSecurityLevel } from "../../k8s/pod-security";
import { gpuPool, OPERATOR_OPT_OUT } from "../../foundation/gpu-pools";
import type { Foundation } from "../../foundation/contract";

type ExistingClusterConfig = Extract<StackConfig["cluster"], { target: "existing" }>;

export interface ExistingClusterArgs {
  readonly cluster: ExistingClusterConfig;
  readonly namespace: string;
  readonly objectStore: Extract<StackConfig["objectStore"], { kind: "minio" }>;
  readonly database: Extract<StackConfig["database"], { kind: "in-cluster" }>;
  readonly protectData: boolean;
  readonly images: ImageResolver;
  /** Pod Security level of the platform namespace. */
  readonly podSecurity: PodSecurityLevel;
  /** The GPU Operator's pinned driver, for pools whose driver it installs. */
  readonly gpuOperatorDriver?: string;
}

export class ExistingCluster extends pulumi.ComponentResource implements Foundation {
  readonly provider: k8s.Provider;
  readonly namespace: string;
  readonly namespaceResource: k8s.core.v1.Namespace;
  readonly objectStore: Foundation["objectStore"];
  readonly database: Foundation["database"];
  readonly gpuPools: Foundation["gpuPools"];

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:cloud:ExistingCluster", name, {}, opts);
    const { cluster } = args;

    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        ...(cluster.context ? { context: cluster.context } : {}),
        ...(cluster.kubeconfig ? { kubeconfig: cluster.kubeconfig } : {}),
        // Server-side apply, so fields owned by controllers (HPA replicas, webhook CA bundles) are not fought over.
        enableServerSideApply: true,
      },
      { parent: this },
    );
    this.namespace = args.namespace;
    this.namespaceResource = platformNamespace(`${name}-namespace`, args.namespace, args.podSecurity, {
      parent: this,
      provider: this.provider,
      protect: args.protectData,
    });

    const common = {
      namespace: args.namespace,
      provider: this.provider,
      images: args.images,
      storageClass: cluster.storageClass,
      protectData: args.protectData,
      dependsOn: [this.namespaceResource],
    };
    this.objectStore = inClusterObjectStore(`${name}-minio`, args.objectStore, common, { parent: this });
    this.database = inClusterDatabase(`${name}-mysql`, args.database, common, { parent: this });
    // The kit does not make these nodes: it knows them by label, and their labels must carry what the
    // pool's `labels` lists (docs/gpus.md) for CUDA-aware step selectors to find them. Where the GPU
    // Operator runs too, pools with their own driver also carry its opt-out label: the operator then
    // leaves their nodes to the kit's device plugin and exporter.
    const operatorInstalled = Object.values(cluster.gpuPools).some((p) => p.driver === "gpu-operator");
    this.gpuPools = Object.entries(cluster.gpuPools).map(([poolName, p]) =>
      gpuPool({
        name: poolName,
        nodeSelector: p.nodeSelector,
        driverVersion: p.driver === "gpu-operator" ? args.gpuOperatorDriver! : p.driverVersion!,
        cuda: p.cuda,
        gpuModel: p.gpuModel,
        capacity: p.capacity,
        driverSource: p.driver === "gpu-operator" ? "gpu-operator" : "node-image",
        labelsApplied: false,
        ...(operatorInstalled && p.driver !== "gpu-operator" ? { extraLabels: { [OPERATOR_OPT_OUT.key]: OPERATOR_OPT_OUT.value } } : {}),
      }),
    );
    this.registerOutputs({ namespace: this.namespace });
  }
}
