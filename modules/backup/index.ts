// Logical backups of KFP's databases on every stack, whatever the database: a CronJob dumps the four
// databases consistently (online, no locks on InnoDB) to the object store under a dated key, verifies
// the upload and prunes by retention; a failed run is a failed Job (backoffLimit) for monitoring to see.
// And the restore Job a stack runs before KFP starts when its `restore` setting names a backup.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Database, ObjectStore, ScopedAccess } from "../foundation/contract";
import { backupPrefix } from "../foundation/names";
import type { DatabaseClient } from "../foundation/database-clients";
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";
import { fromSecret, literal, type EnvVar } from "../k8s/env";
import { kitMeta } from "../k8s/metadata";
import { CRON_JOB_DEFAULTS } from "../k8s/script-job";
import { RUNTIME_DEFAULT_SECCOMP } from "../k8s/workload";
import { downloadScript, dumpScript, loadScript, uploadScript } from "./scripts";
import { SYSTEM_POOL_TOLERATIONS } from "../k8s/placement";

export const BACKUP_NAME = "kfp-db-backup";
export const RESTORE_NAME = "kfp-db-restore";

/** The backup and restore Jobs' pods, in the platform namespace. */
export const BACKUP_DATABASE_CLIENTS: readonly DatabaseClient[] = [
  { name: "backups", podLabels: { "app.kubernetes.io/name": BACKUP_NAME } },
  { name: "restores", podLabels: { "app.kubernetes.io/name": RESTORE_NAME } },
];
const SCRIPTS = "/opt/kfp-backup";
const WORK = "/backup";
const RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } };

export interface BackupCommon {
  /**
   * The stack's backup folder name: its backups go to backups/mysql/<name>/ (backupPrefix), which only
   * it may prune. The cluster's name by default (main.ts).
   */
  readonly backupName: string;
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  readonly database: Database;
  readonly objectStore: ObjectStore;
  readonly dependsOn: pulumi.Resource[];
}

/** The host the AWS CLI resolves by itself for a region: S3's regional endpoint (amazonaws.com, or .com.cn in China). */
const AWS_S3_ENDPOINT = /^s3\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The AWS CLI's settings for the object store, derived from the contract (endpoint, secure, region), not
 * from its kind. The upload and download scripts pass S3_ENDPOINT_URL as --endpoint-url.
 *
 * - Endpoint: none when the contract's endpoint is the regional S3 endpoint the CLI resolves from the
 *   region itself (AWS S3: virtual-hosted requests, the CLI's data-integrity defaults kept); otherwise
 *   `http(s)://<endpoint>`: MinIO's Service, or GCS's XML API at https://storage.googleapis.com, which
 *   takes S3 requests signed with an HMAC key (Google, "Simple migration from Amazon S3 to Cloud
 *   Storage": change the endpoint, use the HMAC key; cloud.google.com/storage/docs/aws-simple-migration).
 *   With an endpoint URL the CLI addresses buckets path-style (host/bucket/key) unless told `virtual`
 *   (botocore args.py, compute_endpoint_resolver_builtin_defaults: AWS_S3_FORCE_PATH_STYLE), which MinIO's
 *   Service name needs and GCS's XML API accepts (cloud.google.com/storage/docs/reference-uris).
 * - Region: the contract's, signed into SigV4's credential scope. GCS: "auto", the region Google's own
 *   S3-SDK sample for storage.googleapis.com uses (storage/docs/samples/storage-s3-sdk-list-buckets).
 *   Both names: CLI v2 reads AWS_REGION first, CLI v1 only AWS_DEFAULT_REGION (botocore configprovider).
 * - Checksums, on every endpoint but AWS's own: AWS CLI v2 2.23.0 (Jan 2025; v1 1.37 with botocore 1.36)
 *   calculates a checksum for every upload by default (CRC64NVME in v2, CRC32 in v1; PutObject and
 *   UploadPart, over HTTPS as an aws-chunked body with a trailing checksum) and asks for checksums on
 *   downloads (aws-cli CHANGELOG 2.23.0, quoted in smnorris/bcfishpass#609 and storj/gateway-st#89; the
 *   aws-chunked request in boto/boto3#751). Third-party S3 endpoints refuse them: GCS's XML API answers a
 *   checksummed UploadPart with SignatureDoesNotMatch (qdrant/qdrant#9568) and a checksummed
 *   CompleteMultipartUpload with 412 (langfuse/langfuse#13280). AWS's opt-out for such endpoints is
 *   AWS_REQUEST_CHECKSUM_CALCULATION and AWS_RESPONSE_CHECKSUM_VALIDATION set to when_required (aws-cli
 *   CHANGELOG 2.23.0; aws/aws-sdk-net#3610, "designed for usage with official AWS services"). The backup
 *   image's CLI (versions.ts awsCli: 2.37.4) is past 2.23.0, so it needs them.
 */
export function awsCliSettings(store: Pick<ObjectStore, "endpoint" | "secure" | "region">): Record<string, string> {
  const region = { AWS_REGION: store.region, AWS_DEFAULT_REGION: store.region };
  if (AWS_S3_ENDPOINT.exec(store.endpoint)?.[1] === store.region) return region;
  return {
    ...region,
    S3_ENDPOINT_URL: `${store.secure ? "https" : "http"}://${store.endpoint}`,
    AWS_REQUEST_CHECKSUM_CALCULATION: "when_required",
    AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required",
  };
}

/** Who a Job runs as: its own ServiceAccount (and scripts ConfigMap) name, the prefix it works under, and what it may do there. */
interface BackupIdentity {
  readonly account: string;
  readonly prefix: string;
  readonly access: ScopedAccess;
}

/**
 * The scripts ConfigMap, the ServiceAccount (with an identity limited to `identity.prefix` where the
 * store scopes one: the backup may read, write and prune its own folder, the restore only read the
 * folder it loads from) and the pod's building blocks.
 */
function backupParts(name: string, args: BackupCommon, identity: BackupIdentity, parent: pulumi.Resource) {
  const opts = { parent, provider: args.provider, dependsOn: args.dependsOn };
  const scripts = new k8s.core.v1.ConfigMap(
    `${name}-scripts`,
    { metadata: kitMeta(`${identity.account}-scripts`, args.namespace), data: { "dump.sh": dumpScript(), "upload.sh": uploadScript(), "download.sh": downloadScript(), "load.sh": loadScript() } },
    opts,
  );
  const annotations = args.objectStore.scopedIdentity?.(
    `${name}-identity`,
    { namespace: args.namespace, serviceAccount: identity.account, prefixes: [identity.prefix], access: identity.access },
    parent,
  );
  const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: kitMeta(identity.account, args.namespace, {}, annotations) }, opts);

  const store = args.objectStore;
  const keys = store.auth.kind === "secret" ? store.auth : undefined;
  const s3Env: EnvVar[] = [
    literal("BUCKET", store.bucket),
    literal("PREFIX", identity.prefix),
    literal("BACKUP_DIR", WORK),
    ...Object.entries(awsCliSettings(store)).map(([name, value]) => literal(name, value)),
    // Static keys where the store has them (MinIO, S3 with keys, GCS's HMAC key); IRSA needs none.
    ...(keys ? [fromSecret("AWS_ACCESS_KEY_ID", keys.secretName, keys.accessKeyKey), fromSecret("AWS_SECRET_ACCESS_KEY", keys.secretName, keys.secretKeyKey)] : []),
  ];
  const db = args.database;
  const dbEnv: EnvVar[] = [
    literal("DB_HOST", db.host),
    literal("DB_PORT", String(db.port)),
    fromSecret("DB_USER", db.secretName, "username"),
    fromSecret("DB_PASSWORD", db.secretName, "password"),
    literal("DATABASES", Object.values(db.databases).join(" ")),
    literal("BACKUP_DIR", WORK),
  ];
  const container = (step: string, image: string, env: EnvVar[], runAs: { runAsUser: number; runAsGroup: number }): k8s.types.input.core.v1.Container => ({
    name: step,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["/bin/sh", `${SCRIPTS}/${step}.sh`],
    env,
    resources: RESOURCES,
    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, ...runAs },
    volumeMounts: [
      { name: "scripts", mountPath: SCRIPTS, readOnly: true },
      { name: "work", mountPath: WORK },
    ],
  });
  // The MySQL image's mysql user; the AWS CLI image has no user of its own, so any non-root id does.
  const mysqlUser = { runAsUser: 999, runAsGroup: 999 };
  const cliUser = { runAsUser: 65532, runAsGroup: 65532 };
  const pod = (initContainers: k8s.types.input.core.v1.Container[], containers: k8s.types.input.core.v1.Container[]): k8s.types.input.core.v1.PodSpec => ({
    serviceAccountName: serviceAccount.metadata.name,
    restartPolicy: "Never",
    tolerations: SYSTEM_POOL_TOLERATIONS,
    // The AWS CLI writes its cache under HOME; fsGroup lets both steps use the shared directory.
    securityContext: { fsGroup: 65532, ...RUNTIME_DEFAULT_SECCOMP },
    volumes: [
      { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
      { name: "work", emptyDir: {} },
    ],
    initContainers,
    containers,
  });
  const cliEnv = [...s3Env, literal("HOME", WORK)];
  return {
    scripts,
    serviceAccount,
    dump: container("dump", args.images.ref("mysql"), dbEnv, mysqlUser),
    upload: (extra: EnvVar[]) => container("upload", args.images.ref("awsCli"), [...cliEnv, ...extra], cliUser),
    download: (extra: EnvVar[]) => container("download", args.images.ref("awsCli"), [...cliEnv, ...extra], cliUser),
    load: container("load", args.images.ref("mysql"), dbEnv, mysqlUser),
    pod,
  };
}

export interface DatabaseBackupArgs extends BackupCommon {
  /** Cron schedule (UTC). */
  readonly schedule: string;
  readonly retentionDays: number;
}

export class DatabaseBackup extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: DatabaseBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:backup:DatabaseBackup", name, {}, opts);
    const parts = backupParts(name, args, { account: BACKUP_NAME, prefix: backupPrefix(args.backupName), access: "read-write-delete" }, this);
    this.cronJob = new k8s.batch.v1.CronJob(
      `${name}-cron-job`,
      {
        metadata: kitMeta(BACKUP_NAME, args.namespace, { "app.kubernetes.io/name": BACKUP_NAME }),
        spec: {
          schedule: args.schedule,
          // One backup at a time; a missed run (controller down) still runs within the hour.
          ...CRON_JOB_DEFAULTS,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: 7200,
              template: {
                metadata: { labels: { "app.kubernetes.io/name": BACKUP_NAME } },
                spec: parts.pod([parts.dump], [parts.upload([literal("RETENTION_DAYS", String(args.retentionDays))])]),
              },
            },
          },
        },
      },
      { parent: this, provider: args.provider, dependsOn: [...args.dependsOn, parts.scripts] },
    );
    this.registerOutputs({ schedule: args.schedule, prefix: backupPrefix(args.backupName) });
  }
}

export interface DatabaseRestoreArgs extends BackupCommon {
  /** The backup to load: a UTC stamp such as 20261129T020000Z, or "latest". */
  readonly backup: string;
  /** Whose backups: another stack's backup name (a DR stack loading the primary's from the replica); this stack's by default. */
  readonly from?: string;
}

/** Loads a logical backup into the (bootstrapped, empty) database before KFP starts. */
export class DatabaseRestore extends pulumi.ComponentResource {
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: DatabaseRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:backup:DatabaseRestore", name, {}, opts);
    // Its own account, read-only on the folder it loads from: a restore never writes or deletes a backup.
    const parts = backupParts(name, args, { account: RESTORE_NAME, prefix: backupPrefix(args.from ?? args.backupName), access: "read" }, this);
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: kitMeta(RESTORE_NAME, args.namespace, { "app.kubernetes.io/name": RESTORE_NAME }),
        spec: {
          backoffLimit: 1,
          activeDeadlineSeconds: 7200,
          template: {
            metadata: { labels: { "app.kubernetes.io/name": RESTORE_NAME } },
            spec: parts.pod([parts.download([literal("BACKUP", args.backup)])], [parts.load]),
          },
        },
      },
      // Waits for the database's bootstrap (databases and user exist); the provider waits for Complete.
      { parent: this, provider: args.provider, dependsOn: [...args.dependsOn, ...args.database.readyResources, parts.scripts], customTimeouts: { create: "2h", update: "2h" } },
    );
    this.registerOutputs({ backup: args.backup, prefix: backupPrefix(args.from ?? args.backupName) });
  }
}
