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
