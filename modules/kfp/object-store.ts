// Everything KFP and Argo need to reach the object store, derived from the foundation's contract:
// the pipeline root and launcher providers (v2 artifacts), Argo's artifact repository (logs, v1
// artifacts), the API server's OBJECTSTORECONFIG_* env and the UI's env. Nothing here is hard-coded.
import type { ObjectStore } from "../foundation/contract";
import { type EnvVar, fromField, fromInstallConfig, fromSecret, literal } from "./env";
import { argoKeyFormat } from "./multi-user/mode";

/** Where Argo writes logs and artifacts in single-user mode; the UI must use the same format to find archived logs. */
export const ARGO_KEY_FORMAT = argoKeyFormat("single-user");

export interface ObjectStoreWiring {
  /** `defaultPipelineRoot` of ConfigMap kfp-launcher, e.g. `minio://mlpipeline/v2/artifacts`. */
  pipelineRoot: string;
  /** `providers` of ConfigMap kfp-launcher (how the launcher opens a session to that root). */
  launcherProviders: Record<string, unknown>;
  /** `artifactRepository` of the Argo controller ConfigMap. */
  artifactRepository: Record<string, unknown>;
  apiServerEnv: EnvVar[];
  uiEnv: EnvVar[];
}

function splitEndpoint(endpoint: string): { host: string; port: string } {
  const [host, port] = endpoint.split(":");
  return { host, port: port ?? "" };
}

export function objectStoreWiring(store: ObjectStore, pipelineRootPath: string, keyFormat = ARGO_KEY_FORMAT): ObjectStoreWiring {
  const { host, port } = splitEndpoint(store.endpoint);
  const scheme = store.kind === "gcs" ? "gs" : store.kind;
  // The launcher with fromEnv credentials ignores the provider's region (kfp v2/objectstore), so on S3 the
  // region travels in the pipeline root itself; AWS_REGION from the IRSA webhook would do too, if present.
  const pipelineRoot = `${scheme}://${store.bucket}/${pipelineRootPath}${store.kind === "s3" ? `?region=${store.region}` : ""}`;
  const keys = store.auth.kind === "secret" ? store.auth : undefined;

  const credentials = keys
    ? { fromEnv: false, secretRef: { secretName: keys.secretName, accessKeyKey: keys.accessKeyKey, secretKeyKey: keys.secretKeyKey } }
    : { fromEnv: true };
  const launcherProviders =
    store.kind === "gcs"
      ? { gs: { default: { credentials: { fromEnv: true } } } }
      : {
          [store.kind]: {
            // Path-style addressing is MinIO's; AWS S3 takes virtual-hosted style.
            default: { endpoint: store.endpoint, region: store.region, disableSSL: !store.secure, forcePathStyle: store.kind === "minio", credentials },
          },
        };

  // GCS with Workload Identity: Argo's native GCS client uses the pod's identity (no key secret).
  // Everything else speaks S3: MinIO and S3 with keys, or S3 with the SDK's credential chain (IRSA).
  const artifactRepository =
    store.kind === "gcs" && !keys
      ? { archiveLogs: true, gcs: { bucket: store.bucket, keyFormat } }
      : {
          archiveLogs: true,
          s3: {
            endpoint: store.endpoint,
            bucket: store.bucket,
            region: store.region,
            insecure: !store.secure,
            keyFormat,
            ...(keys
              ? { accessKeySecret: { name: keys.secretName, key: keys.accessKeyKey }, secretKeySecret: { name: keys.secretName, key: keys.secretKeyKey } }
              : { useSDKCreds: true }),
          },
        };

  const apiServerEnv: EnvVar[] = [
    literal("OBJECTSTORECONFIG_HOST", host),
    literal("OBJECTSTORECONFIG_PORT", port),
    literal("OBJECTSTORECONFIG_REGION", store.region),
    literal("OBJECTSTORECONFIG_SECURE", String(store.secure)),
    fromInstallConfig("OBJECTSTORECONFIG_BUCKETNAME", "bucketName"),
    // Without keys both must be set, and empty: the API server's built-in config.json carries MinIO's
    // minio/minio123, which an absent variable leaves in force (S3 answers 403 and the pod crash-loops);
    // empty keys make minio-go use its credential chain, IRSA's web identity included.
    ...(keys
      ? [
          fromSecret("OBJECTSTORECONFIG_ACCESSKEY", keys.secretName, keys.accessKeyKey),
          fromSecret("OBJECTSTORECONFIG_SECRETACCESSKEY", keys.secretName, keys.secretKeyKey),
        ]
      : [literal("OBJECTSTORECONFIG_ACCESSKEY", ""), literal("OBJECTSTORECONFIG_SECRETACCESSKEY", "")]),
  ];

  const archive = [literal("ARGO_ARCHIVE_LOGS", "true"), literal("ARGO_ARCHIVE_BUCKETNAME", store.bucket), literal("ARGO_KEYFORMAT", keyFormat)];
  const uiEnv: EnvVar[] =
    store.kind === "minio"
      ? [
          literal("ARGO_ARCHIVE_ARTIFACTORY", "minio"),
          ...archive,
          literal("MINIO_HOST", host.split(".")[0]),
          literal("MINIO_PORT", port),
          fromField("MINIO_NAMESPACE", "metadata.namespace"),
          literal("MINIO_SSL", String(store.secure)),
          ...(keys ? [fromSecret("MINIO_ACCESS_KEY", keys.secretName, keys.accessKeyKey), fromSecret("MINIO_SECRET_KEY", keys.secretName, keys.secretKeyKey)] : []),
        ]
      : [
          literal("ARGO_ARCHIVE_ARTIFACTORY", "s3"),
          ...archive,
          literal("AWS_REGION", store.region),
          literal("AWS_S3_ENDPOINT", host),
          literal("AWS_SSL", String(store.secure)),
          ...(keys ? [fromSecret("AWS_ACCESS_KEY_ID", keys.secretName, keys.accessKeyKey), fromSecret("AWS_SECRET_ACCESS_KEY", keys.secretName, keys.secretKeyKey)] : []),
        ];

  return { pipelineRoot, launcherProviders, artifactRepository, apiServerEnv, uiEnv };
}
