// Object names other parts (policies, tests) look KFP's settings up by; dependency-free so the policy
// pack can import them.

/** Argo's controller ConfigMap: its `executor` key sizes every step's init and wait containers. */
export const CONTROLLER_CONFIG = "workflow-controller-configmap";
/** KFP's pipeline-root ConfigMap, read by the driver and launcher in each run namespace. */
export const LAUNCHER_CONFIG = "kfp-launcher";

/** Service accounts whose pods use the object store: the API server, the UI, and pipeline steps. */
export const OBJECT_STORE_CLIENTS = { apiServer: "ml-pipeline", ui: "ml-pipeline-ui", pipelineRunner: "pipeline-runner" } as const;
export type ObjectStoreClient = (typeof OBJECT_STORE_CLIENTS)[keyof typeof OBJECT_STORE_CLIENTS];

/**
 * Service accounts that only read the pipeline root, and only in single-user mode: TensorBoard viewer
 * pods (ml-pipeline-ui-configmap's pod template) and the v1 visualization server. Upstream binds both to
 * Google service accounts (manifests/kustomize/gcp-workload-identity-setup.sh:31-32 at 2.14.0). In
 * multi-user mode viewers run as the team's default-editor, and the visualization server in the platform
 * namespace gets no identity: it runs the Python a request carries, for callers KFP does not authorize.
 */
export const OBJECT_STORE_READERS = { viewer: "kubeflow-pipelines-viewer", visualizationServer: "ml-pipeline-visualizationserver" } as const;
export type ObjectStoreReader = (typeof OBJECT_STORE_READERS)[keyof typeof OBJECT_STORE_READERS];

/**
 * Key prefixes KFP 2.14.0 uses in the bucket besides the pipeline root: Argo's logs (the start of
 * ARGO_KEY_FORMAT) and the API server's stored pipeline packages (backend object store "pipelines");
 * and the kit's logical database backups, one folder per stack below it (backupPrefix).
 */
export const BUCKET_PREFIXES = { argoLogs: "artifacts", pipelinePackages: "pipelines", backups: "backups/mysql" } as const;

/**
 * Where one stack's logical backups live: backups/mysql/<name>/<UTC stamp>/. A folder per stack, so a
 * stack that shares a bucket with another's copies (a DR stack on the replica, which holds the primary's
 * replicated backups) prunes only its own, and its backup identity can delete nothing else.
 */
export function backupPrefix(name: string): string {
  return `${BUCKET_PREFIXES.backups}/${name}`;
}

/** Upstream's Secret with the object store's keys (keys `accesskey`, `secretkey`); the UI needs it to exist even when pods use IRSA. */
export const ARTIFACT_KEY_SECRET = "mlpipeline-minio-artifact";
