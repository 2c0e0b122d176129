// The foundation contract: what every target (aws, gcp, existing) hands the workloads. Workload
// modules take this and nothing else, so they never know which cloud is underneath.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseClient } from "./database-clients";
import type { ObjectStoreClient, ObjectStoreReader } from "./names";

/** How pods authenticate to the object store. */
export type ObjectStoreAuth =
  /** Static keys in a Secret in the platform namespace (MinIO, or S3 with keys). */
  | {
      readonly kind: "secret";
      readonly secretName: string;
      readonly accessKeyKey: string;
      readonly secretKeyKey: string;
      /** The keys themselves when the kit generated them (in-cluster MinIO), so team namespaces can get a copy. */
      readonly values?: { readonly accessKey: pulumi.Output<string>; readonly secretKey: pulumi.Output<string> };
    }
  /** IAM roles that the object-store clients' service accounts assume (IRSA annotation), one per service account. */
  | {
      readonly kind: "aws-role";
      /** Every client's role; the readers' where the stack asked for them (single-user). */
      readonly roleArns: Readonly<Record<ObjectStoreClient, pulumi.Output<string>> & Partial<Record<ObjectStoreReader, pulumi.Output<string>>>>;
      readonly mechanism: "irsa";
    }
  /** A Google service account bound through Workload Identity. */
  | { readonly kind: "gcp-service-account"; readonly email: pulumi.Output<string> };

export interface ObjectStore {
  readonly kind: "s3" | "gcs" | "minio";
  readonly bucket: string;
  /** `host` or `host:port` that S3-protocol clients dial (MinIO service, S3 regional endpoint, GCS interop). */
  readonly endpoint: string;
  readonly region: string;
  /** Whether clients use TLS. */
  readonly secure: boolean;
  readonly auth: ObjectStoreAuth;
  /**
   * Annotations the store's client service accounts carry beside `auth` (GCS: the launcher and the UI use
   * Workload Identity, while the API server and Argo's logs use `auth`'s HMAC keys over the S3 protocol).
   */
  readonly clientAnnotations?: Readonly<Record<ObjectStoreClient, Record<string, pulumi.Input<string>>> & Partial<Record<ObjectStoreReader, Record<string, pulumi.Input<string>>>>>;
  /** Resources that must exist before anything uses the store. */
  readonly readyResources: pulumi.Resource[];
  /**
   * An identity for one service account, allowed only under the given key prefixes (a team's artifacts);
   * returns the annotations the service account needs. Absent where the store cannot scope access
   * (MinIO with one shared key pair).
   */
  readonly scopedIdentity?: (name: string, request: ScopedIdentityRequest, parent: pulumi.Resource) => Record<string, pulumi.Input<string>>;
}

export interface ScopedIdentityRequest {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** Key prefixes (no leading or trailing slash) the identity may use, and nothing outside them. */
  readonly prefixes: readonly string[];
  /**
   * What it may do there (listing included): `read` (a restore), `read-write` (a team's steps: read,
   * write, multipart uploads), `read-write-delete` (the backup job, which prunes its own old backups).
   */
  readonly access: ScopedAccess;
}

export type ScopedAccess = "read" | "read-write" | "read-write-delete";

export interface Database {
  /** Host name KFP's pods dial (a Service name, an RDS endpoint). */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly username: pulumi.Output<string>;
  /** Always a Pulumi secret. */
  readonly password: pulumi.Output<string>;
  /** Secret in the platform namespace with keys `username` and `password` (upstream's `mysql-secret`). */
  readonly secretName: string;
  /** Database names KFP uses (created by the foundation, so the KFP user needs no global CREATE). */
  readonly databases: { readonly pipelines: string; readonly cache: string; readonly metadata: string; readonly workflows: string };
  /**
   * go-sql-driver `tls` for the clients that take one (API server, cache server): "skip-verify" encrypts
   * without checking the CA, which KFP's images lack for RDS and Cloud SQL. Unset: plain TCP.
   */
  readonly tls?: "skip-verify";
  readonly readyResources: pulumi.Resource[];
  /** The metrics user the bootstrap creates, for mysqld_exporter; absent where the kit bootstraps nothing. */
  readonly monitor?: DatabaseMonitorLogin;
  /** Pods the foundation itself runs against the database (the bootstrap Job). */
  readonly clients: readonly DatabaseClient[];
}

export interface DatabaseMonitorLogin {
  /** Host and port as seen from any namespace. */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  readonly username: string;
  /** Always a Pulumi secret. */
  readonly password: pulumi.Output<string>;
}

export interface GpuPool {
  readonly name: string;
  /** Labels that select the pool's nodes (GPU daemons' affinity). */
  readonly nodeSelector: Record<string, string>;
  /**
   * Every label the kit gives (aws) or expects on (existing) the pool's nodes: pool, CUDA (declared and
   * one per minor the driver runs), GPU model, capacity.
   */
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value: string; effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute" }[];
  readonly driverVersion: string;
  /** Highest CUDA version the pinned driver (and the GPU architecture) runs. */
  readonly maxCuda: string;
  readonly capacity: "on-demand" | "spot";
  /** Who installs the driver: the node image (EKS NVIDIA AMI, preinstalled) or the GPU Operator. */
  readonly driverSource: "node-image" | "gpu-operator";
  /** Whether the foundation puts `labels` and `taints` on the nodes itself (it makes them), or the cluster's owner must. */
  readonly labelsApplied: boolean;
}

/** What every foundation returns. */
export interface Foundation {
  /** Kubernetes provider for the platform's cluster; every Kubernetes object is created through it. */
  readonly provider: k8s.Provider;
  /** The platform namespace, created by the foundation (upstream: `kubeflow`). */
  readonly namespace: string;
  /** The namespace resource, for ordering. */
  readonly namespaceResource: pulumi.Resource;
  readonly objectStore: ObjectStore;
  readonly database: Database;
  readonly gpuPools: readonly GpuPool[];
  /**
   * What the stack exports about the cluster the foundation made (its name and kubeconfig, a DR
   * region's copies); absent where the cluster is the user's own.
   */
  readonly stackOutputs?: Readonly<Record<string, unknown>>;
}
