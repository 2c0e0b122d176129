// The `existing` foundation: a cluster someone else made (kind, k3d, minikube, on-prem), reached
// through a kubeconfig context, with in-cluster MinIO and MySQL filling the object-store and database
// slots of the contract. Needs no cloud account.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import type { ImageResolver } from "../../images";
import { InClusterMinio } from "../../data/minio";
import { InClusterMysql } from "../../data/mysql";
import { objectMeta } from "../../k8s/metadata";
import { podSecurityLabels, type PodSecurityLevel } from "../../k8s/pod-security";
import type { Foundation } from "../contract";

type ExistingClusterConfig = Extract<StackConfig["cluster"], { target: "existing" }>;

export interface ExistingClusterArgs {
  readonly cluster: ExistingClusterConfig;
  readonly namespace: string;
  readonly objectStore: StackConfig["objectStore"];
  readonly database: StackConfig["database"];
  readonly protectData: boolean;
  readonly images: ImageResolver;
  /** Pod Security level of the platform namespace. */
  readonly podSecurity: PodSecurityLevel;
}

export class ExistingCluster extends pulumi.ComponentResource implements Foundation {
  readonly provider: k8s.Provider;
  readonly namespace: string;
  readonly namespaceResource: k8s.core.v1.Namespace;
  readonly objectStore: Foundation["objectStore"];
  readonly database: Foundation["database"];
  readonly gpuPools: Foundation["gpuPools"] = [];

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
    this.namespaceResource = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        // Standalone KFP runs pipeline steps here too, so the level is the stack's choice (platformPodSecurity).
        metadata: objectMeta(args.namespace, undefined, podSecurityLabels(args.podSecurity)),
      },
      { parent: this, provider: this.provider, protect: args.protectData },
    );

    const dataOpts = { parent: this };
    const dependsOn = [this.namespaceResource];
    const minio = new InClusterMinio(
      `${name}-minio`,
      {
        namespace: args.namespace,
        provider: this.provider,
        images: args.images,
        bucket: args.objectStore.bucket,
        storageSize: args.objectStore.storageSize,
        storageClass: cluster.storageClass,
        resources: args.objectStore.resources,
        protectData: args.protectData,
        dependsOn,
      },
      dataOpts,
    );
    const mysql = new InClusterMysql(
      `${name}-mysql`,
      {
        namespace: args.namespace,
        provider: this.provider,
        images: args.images,
        storageSize: args.database.storageSize,
        storageClass: cluster.storageClass,
        resources: args.database.resources,
        protectData: args.protectData,
        dependsOn,
      },
      dataOpts,
    );
    this.objectStore = minio.objectStore;
    this.database = mysql.database;
    this.registerOutputs({ namespace: this.namespace });
  }
}
