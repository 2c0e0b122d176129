// The Google Cloud calls each workload of the kit makes on the GCP target, traced to the line of its source
// at the pinned version, with the IAM permissions each needs: GCS's XML API for the S3-protocol clients
// (docs.cloud.google.com/storage/docs/access-control/iam-xml), its JSON API for the Google clients
// (.../iam-json), and each service's documented needs. test/gcp-permissions.test.ts proves every call on
// gcp-dev and gcp-prod against the planned IAM bindings and the predefined roles' permission lists
// (modules/facts/gcp-roles.ts), and test/backup-roundtrip.test.ts judges the backup's recorded XML requests.

/** Who makes the call: the one HMAC key's account (S3 protocol), a Google service account through Workload Identity, or the nodes' account. */
export type GcpIdentity =
  | { readonly kind: "hmac" }
  | { readonly kind: "workloadIdentity"; readonly serviceAccount: string }
  | { readonly kind: "nodes" };

/** Where the permission is checked: the pipeline-root bucket (and its objects), a Cloud SQL instance, the image cache repositories, the project. */
export type GcpScope = "bucket" | "sqlInstance" | "cacheRepository" | "project";

export interface GcpCall {
  readonly call: string;
  readonly permissions: readonly string[];
  readonly on: GcpScope;
  /** repo@version path:line or the Google document the call is traced to. */
  readonly source: string;
}

export interface GcpWorkload {
  readonly name: string;
  readonly identity: GcpIdentity;
  /** Only on stacks with this: a Cloud SQL database, single-user read-only clients. */
  readonly when?: "cloudsql" | "readers";
  readonly calls: readonly GcpCall[];
}

const KFP = "kubeflow/pipelines@2.14.0";
const ARGO = "argoproj/argo-workflows@v3.6.7";
const XML = "GCS XML API permissions (docs.cloud.google.com/storage/docs/access-control/iam-xml)";
const JSON_API = "GCS JSON API permissions (docs.cloud.google.com/storage/docs/access-control/iam-json)";

/** An XML-API multipart upload (minio-go above 16 MiB, the AWS CLI above 8 MiB): create, parts, complete; abort on failure. */
const xmlMultipart = (source: string): GcpCall[] => [
  { call: "POST ?uploads (initiate multipart)", permissions: ["storage.multipartUploads.create", "storage.objects.create"], on: "bucket", source: `${source}; ${XML}` },
  { call: "PUT ?uploadId (upload part)", permissions: ["storage.multipartUploads.create", "storage.objects.create"], on: "bucket", source: `${source}; ${XML}` },
  { call: "POST ?uploadId (complete multipart)", permissions: ["storage.multipartUploads.create", "storage.objects.create"], on: "bucket", source: `${source}; ${XML}` },
  { call: "DELETE ?uploadId (abort a failed upload)", permissions: ["storage.multipartUploads.abort"], on: "bucket", source: `${source}; ${XML}` },
];

const read = (who: string, source: string): GcpCall[] => [
  { call: `${who}: list a prefix (objects.list)`, permissions: ["storage.objects.list"], on: "bucket", source: `${source}; ${JSON_API}` },
  { call: `${who}: read an object (objects.get)`, permissions: ["storage.objects.get"], on: "bucket", source: `${source}; ${JSON_API}` },
];

export const GCP_WORKLOADS: readonly GcpWorkload[] = [
  {
    name: "KFP API server (minio-go, the HMAC key)",
    identity: { kind: "hmac" },
    calls: [
      { call: "BucketExists at start (HEAD bucket)", permissions: ["storage.buckets.get"], on: "bucket", source: `${KFP} backend/src/apiserver/client_manager/client_manager.go:651; ${XML}` },
      { call: "GetObject: archived logs, stored pipelines, v1 ReadArtifact (GET object)", permissions: ["storage.objects.get"], on: "bucket", source: `${KFP} backend/src/apiserver/resource/resource_manager.go:1028, 1545-1551, 1640; ${XML}` },
    ],
  },
  {
    name: "Argo executor (wait container): log archive (the HMAC key)",
    identity: { kind: "hmac" },
    calls: [
      { call: "FPutObject (PUT object)", permissions: ["storage.objects.create"], on: "bucket", source: `${ARGO} workflow/artifacts/s3/s3.go:239; ${XML}` },
      ...xmlMultipart("minio-go@v7.0.89 api-put-object.go"),
    ],
  },
  {
    name: "KFP UI: archived logs from the s3: repository (the HMAC key)",
    identity: { kind: "hmac" },
    calls: [{ call: "minio-js getObject (GET object)", permissions: ["storage.objects.get"], on: "bucket", source: `${KFP} frontend/server/workflow-helper.ts:142; ${XML}` }],
  },
  {
    name: "KFP UI: gs:// artifacts (Workload Identity)",
    identity: { kind: "workloadIdentity", serviceAccount: "ml-pipeline-ui" },
    calls: read("@google-cloud/storage getFiles, createReadStream", `${KFP} frontend/server/handlers/artifacts.ts:295, 325`),
  },
  {
    name: "KFP launcher (pipeline-runner, Workload Identity; the driver opens no bucket)",
    identity: { kind: "workloadIdentity", serviceAccount: "pipeline-runner" },
    calls: [
      { call: "gocloud gcsblob NewWriter (objects.insert): step outputs", permissions: ["storage.objects.create"], on: "bucket", source: `${KFP} backend/src/v2/objectstore/object_store.go:157; ${JSON_API}` },
      ...read("gocloud gcsblob List, NewReader: step inputs", `${KFP} backend/src/v2/objectstore/object_store.go:124, 185`),
    ],
  },
  {
    name: "TensorBoard viewers (single-user, Workload Identity)",
    identity: { kind: "workloadIdentity", serviceAccount: "kubeflow-pipelines-viewer" },
    when: "readers",
    calls: read("TensorBoard's gs:// reader (tf.io.gfile)", `${KFP} manifests/kustomize/gcp-workload-identity-setup.sh:31-32 (upstream binds the account for this)`),
  },
  {
    name: "Visualization server (single-user, Workload Identity)",
    identity: { kind: "workloadIdentity", serviceAccount: "ml-pipeline-visualizationserver" },
    when: "readers",
    calls: read("the visualization's gs:// reads", `${KFP} manifests/kustomize/gcp-workload-identity-setup.sh:31-32`),
  },
  {
    name: "Database backup (kfp-db-backup, upload.sh; the HMAC key)",
    identity: { kind: "hmac" },
    calls: [
      { call: "aws s3 cp <dump> (PUT object)", permissions: ["storage.objects.create"], on: "bucket", source: `modules/backup/scripts.ts uploadScript; ${XML}` },
      ...xmlMultipart("aws/aws-cli v2 s3transfer/upload.py (multipart above 8 MiB)"),
      { call: "aws s3api head-object (HEAD object)", permissions: ["storage.objects.get"], on: "bucket", source: `modules/backup/scripts.ts uploadScript; ${XML}` },
      { call: "aws s3api list-objects-v2 (GET bucket)", permissions: ["storage.objects.list"], on: "bucket", source: `modules/backup/scripts.ts uploadScript; ${XML}` },
      { call: "aws s3 rm --recursive (DELETE object)", permissions: ["storage.objects.delete"], on: "bucket", source: `modules/backup/scripts.ts uploadScript; ${XML}` },
    ],
  },
  {
    name: "Database restore (kfp-db-restore, download.sh; the HMAC key)",
    identity: { kind: "hmac" },
    calls: [
      { call: "aws s3api list-objects-v2 (GET bucket)", permissions: ["storage.objects.list"], on: "bucket", source: `modules/backup/scripts.ts downloadScript; ${XML}` },
      { call: "aws s3 cp s3://... (HEAD, then GET object)", permissions: ["storage.objects.get"], on: "bucket", source: `modules/backup/scripts.ts downloadScript; ${XML}` },
    ],
  },
  {
    name: "Cloud SQL Auth Proxy (Workload Identity)",
    identity: { kind: "workloadIdentity", serviceAccount: "cloudsql-proxy" },
    when: "cloudsql",
    calls: [
      {
        call: "connect: instance metadata and an ephemeral certificate",
        permissions: ["cloudsql.instances.connect", "cloudsql.instances.get"],
        on: "sqlInstance",
        source: "Cloud SQL Auth Proxy docs (docs.cloud.google.com/sql/docs/mysql/sql-proxy, \"Requirements\": the Cloud SQL Client role)",
      },
    ],
  },
  {
    name: "GKE nodes (the node service account)",
    identity: { kind: "nodes" },
    calls: [
      {
        call: "system logs and metrics (Cloud Logging and Monitoring agents)",
        permissions: ["logging.logEntries.create", "monitoring.metricDescriptors.create", "monitoring.timeSeries.create"],
        on: "project",
        source: "GKE docs, \"Use least privilege IAM service accounts\" (docs.cloud.google.com/kubernetes-engine/docs/how-to/service-accounts)",
      },
      {
        call: "kubelet pulls through the Artifact Registry remote repositories",
        permissions: ["artifactregistry.repositories.downloadArtifacts"],
        on: "cacheRepository",
        source: "Artifact Registry docs, \"Access control with IAM\" (pulling images: Artifact Registry Reader)",
      },
    ],
  },
];

/** What no identity of the kit may do on the pipeline-root bucket: remove it, change its IAM, or turn versioning and lifecycle off. */
export const GCP_BUCKET_ADMIN_PERMISSIONS = ["storage.buckets.delete", "storage.buckets.update", "storage.buckets.setIamPolicy"] as const;

/** Identities that only read the bucket: they may not write or delete an object. */
export const GCP_READ_ONLY_ACCOUNTS = ["ml-pipeline", "ml-pipeline-ui", "kubeflow-pipelines-viewer", "ml-pipeline-visualizationserver"] as const;

/** The permissions each S3-protocol operation needs on GCS's XML API (iam-xml table; new keys, so no overwrite's storage.objects.delete). */
export const GCS_XML_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  HeadBucket: ["storage.buckets.get"],
  GetBucketLocation: ["storage.buckets.get"],
  ListObjectsV2: ["storage.objects.list"],
  ListObjects: ["storage.objects.list"],
  HeadObject: ["storage.objects.get"],
  GetObject: ["storage.objects.get"],
  PutObject: ["storage.objects.create"],
  CreateMultipartUpload: ["storage.multipartUploads.create", "storage.objects.create"],
  UploadPart: ["storage.multipartUploads.create", "storage.objects.create"],
  CompleteMultipartUpload: ["storage.multipartUploads.create", "storage.objects.create"],
  AbortMultipartUpload: ["storage.multipartUploads.abort"],
  ListParts: ["storage.multipartUploads.listParts"],
  DeleteObject: ["storage.objects.delete"],
};
