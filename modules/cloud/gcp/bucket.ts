// The pipeline root on GCS: a bucket with uniform access, public access prevention, versioning and
// lifecycle rules; a Google service account per KFP client bound through Workload Identity to its
// Kubernetes service account (the launcher and the UI read gs:// with Application Default Credentials:
// kubeflow/pipelines 2.14.0 v2/objectstore, frontend artifacts.ts); and one HMAC key of a dedicated
// service account limited to this bucket, for the two clients that speak only S3: the API server
// (minio-go; BucketExists at start) and Argo's log archive, which the UI reads only from an `s3:`
// repository (frontend workflow-helper.ts). Facts: ../shared/reference/credentials-db-charts.md 2a-2d.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { OBJECT_STORE_CLIENTS, type ObjectStoreClient, type ObjectStoreReader } from "../../foundation/names";
import { workloadIdentityBinding } from "./workload-identity";

type GcsConfig = Extract<StackConfig["objectStore"], { kind: "gcs" }>;

/** Bucket roles per client: read for the API server, the UI and the readers, read and write for pipeline steps. */
export const CLIENT_ROLES: Readonly<Record<ObjectStoreClient | ObjectStoreReader, readonly string[]>> = {
  "ml-pipeline": ["roles/storage.objectViewer", "roles/storage.legacyBucketReader"],
  "ml-pipeline-ui": ["roles/storage.objectViewer"],
  "pipeline-runner": ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"],
  "kubeflow-pipelines-viewer": ["roles/storage.objectViewer"],
  "ml-pipeline-visualizationserver": ["roles/storage.objectViewer"],
};
/** The HMAC key's account: objects read and written (Argo's logs), and the bucket itself read (the API server's BucketExists). */
export const HMAC_ROLES = ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"] as const;

export interface GcsBucketArgs {
  readonly config: GcsConfig;
  readonly project: string;
  readonly location: string;
  readonly clusterName: string;
  /** Namespace of KFP's service accounts. */
  readonly namespace: string;
  readonly protect: boolean;
  /** The GKE cluster (its creation brings the workload pool the bindings name). */
  readonly cluster: pulumi.Resource;
  /** Read-only clients that get a Google service account too (single-user KFP: viewers, the visualization server). */
  readonly readers: readonly ObjectStoreReader[];
  readonly provider: gcp.Provider;
}

export class GcsArtifactBucket extends pulumi.ComponentResource {
  readonly bucket: gcp.storage.Bucket;
  readonly serviceAccounts: Record<ObjectStoreClient, gcp.serviceaccount.Account> & Partial<Record<ObjectStoreReader, gcp.serviceaccount.Account>>;
  readonly hmac: gcp.storage.HmacKey;
  readonly ready: pulumi.Resource[] = [];

  constructor(name: string, args: GcsBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gcp:GcsArtifactBucket", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const c = args.config;
    this.bucket = new gcp.storage.Bucket(
      name,
      {
        name: c.bucket,
        location: args.location.toUpperCase(),
        uniformBucketLevelAccess: true,
        publicAccessPrevention: "enforced",
        versioning: { enabled: true },
        forceDestroy: false,
        lifecycleRules: [
          { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: c.lifecycle.noncurrentVersionDays, withState: "ARCHIVED" } },
          ...(c.lifecycle.expireArtifactsDays ? [{ action: { type: "Delete" }, condition: { age: c.lifecycle.expireArtifactsDays, withState: "LIVE" } }] : []),
        ],
      },
      { ...child, protect: args.protect },
    );

    // account ids: 6-30 characters; the cluster name is at most 32, so it is cut to fit.
    const accountId = (suffix: string) => `${args.clusterName.slice(0, 29 - suffix.length)}-${suffix}`;
    const bucketRole = (resource: string, role: string, member: pulumi.Input<string>) =>
      new gcp.storage.BucketIAMMember(`${name}-${resource}-${role.split("/")[1]}`, { bucket: this.bucket.name, role, member }, child);

    const suffixes: Record<ObjectStoreClient | ObjectStoreReader, string> = {
      "ml-pipeline": "kfp-api",
      "ml-pipeline-ui": "kfp-ui",
      "pipeline-runner": "kfp-runs",
      "kubeflow-pipelines-viewer": "kfp-viewer",
      "ml-pipeline-visualizationserver": "kfp-vis",
    };
    this.serviceAccounts = {} as Record<ObjectStoreClient, gcp.serviceaccount.Account>;
    for (const client of [...Object.values(OBJECT_STORE_CLIENTS), ...args.readers]) {
      const account = new gcp.serviceaccount.Account(`${name}-${client}`, { accountId: accountId(suffixes[client]), displayName: `KFP ${client} (${args.clusterName})` }, child);
      this.serviceAccounts[client] = account;
      workloadIdentityBinding(`${name}-${client}-workload-identity`, { account, project: args.project, namespace: args.namespace, serviceAccount: client, cluster: args.cluster }, child);
      for (const role of CLIENT_ROLES[client]) this.ready.push(bucketRole(client, role, pulumi.interpolate`serviceAccount:${account.email}`));
    }

    const hmacAccount = new gcp.serviceaccount.Account(`${name}-hmac`, { accountId: accountId("kfp-s3"), displayName: `KFP S3-protocol access to ${c.bucket}` }, child);
    for (const role of HMAC_ROLES) this.ready.push(bucketRole("hmac", role, pulumi.interpolate`serviceAccount:${hmacAccount.email}`));
    this.hmac = new gcp.storage.HmacKey(`${name}-hmac`, { serviceAccountEmail: hmacAccount.email }, child);
    this.ready.push(this.bucket, this.hmac);
    this.registerOutputs({ bucket: this.bucket.name });
  }
}
