// The one schema of a stack's configuration (namespace `kfp-platform:` in stacks/Pulumi.<stack>.yaml).
// It is the only place that knows config keys: every key is typed, defaulted or required, described,
// and checked, cross-field rules included. docs/config.md is generated from it (`npm run docs`).
import { z } from "zod";
import { monitoringSettings, PROFILES } from "./monitoring";
import { cloudSqlDatabase, gcpCluster, gcsObjectStore } from "./gcp";
import { IMAGE_NAMES } from "../versions";
import { awsCluster, rdsDatabase, s3ObjectStore } from "./aws";
import { checkGpuConfig, existingGpuPool, gpuSettings } from "./gpu";
import { kfpSettings } from "./kfp";
import { checkPlatformNamespace, checkTeams, platformAdmins, RESTRICTED_STEP_PODS, team } from "./teams";
import { containerResources, storageQuantity } from "./quantities";
import { FLOATING_TAGS, floatingTagReason, MIN_VERSION_PARTS } from "./image-tags";

/** The Pulumi project name, and so the namespace of every key this schema owns. */
export const PROJECT = "kfp-platform";

/** Config namespaces that belong to others (the engine and providers) and are passed through untouched. */
export const FOREIGN_NAMESPACES = ["pulumi", "kubernetes", "aws", "gcp", "random", "tls"] as const;

/** Keys whose value must be a `secure:` (encrypted) value in the stack file, which is committed. */
export const SECRET_KEYS = ["oidcClientSecret", "alertReceiverSecrets"] as const;

/** Every route names a receiver, and every receiver but none else has its credential. */
function checkAlertReceivers(config: z.output<typeof stackConfigBase>, ctx: z.RefinementCtx): void {
  const { receivers, routes, watchdog } = config.monitoring.alerting;
  const named = [...(["critical", "warning"] as const).flatMap((severity) => routes[severity].map((r, i) => [["routes", severity, i], r] as const)), ...(watchdog ? [[["watchdog"], watchdog] as const] : [])];
  for (const [path, receiver] of named) {
    if (!(receiver in receivers)) {
      ctx.addIssue({ code: "custom", path: ["monitoring", "alerting", ...path], input: receiver, message: `is no receiver; define it under monitoring.alerting.receivers (defined: ${Object.keys(receivers).join(", ") || "none"})` });
    }
  }
  const secrets = config.alertReceiverSecrets ?? {};
  for (const name of Object.keys(receivers)) {
    if (!(name in secrets)) {
      ctx.addIssue({ code: "custom", path: ["alertReceiverSecrets", name], input: undefined, message: `receiver ${name} needs its credential: pulumi config set --secret --path 'kfp-platform:alertReceiverSecrets.${name}' <value>` });
    }
  }
  for (const name of Object.keys(secrets).filter((n) => !(n in receivers))) {
    ctx.addIssue({ code: "custom", path: ["alertReceiverSecrets", name], input: "[secret]", message: "is the credential of no receiver in monitoring.alerting.receivers; remove it or define the receiver" });
  }
}

/**
 * What prod refuses beyond the policy pack: a control-plane endpoint answering the whole internet (EKS
 * publicAccessCidrs, GKE masterAuthorizedCidrs), and unprotected data, which the prod policy config's
 * data-safety refuses after the plan; here the line names the key to change.
 */
function checkProdExposure(config: z.output<typeof stackConfigBase>, ctx: z.RefinementCtx): void {
  const c = config.cluster;
  const endpoint =
    c.target === "aws" && c.endpointAccess === "public-and-private"
      ? { key: "publicAccessCidrs", ranges: c.publicAccessCidrs, what: "the EKS API endpoint", fix: ", or set cluster.endpointAccess: private and run pulumi up from inside the VPC" }
      : c.target === "gcp"
        ? { key: "masterAuthorizedCidrs", ranges: c.masterAuthorizedCidrs, what: "the GKE control plane's public endpoint", fix: "" }
        : undefined;
  const i = endpoint?.ranges.findIndex((r) => r.endsWith("/0")) ?? -1;
  if (endpoint && i >= 0) {
    ctx.addIssue({
      code: "custom",
      path: ["cluster", endpoint.key, i],
      input: endpoint.ranges[i],
      message: `opens ${endpoint.what} to the whole internet, which prod refuses; list your offices' and CI's egress ranges${endpoint.fix}`,
    });
  }
  if (config.protectData === false) {
    ctx.addIssue({
      code: "custom",
      path: ["protectData"],
      input: false,
      message: "prod keeps its data protected (the prod policy config's data-safety refuses unprotected volumes, buckets, databases, keys and the cluster, and a database without deletion protection); remove the key (default true in prod)",
    });
  }
}

/** Environment classes; each has a policy config in policies/config/<environment>.json. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a DNS label: lowercase letters, digits and '-', at most 63");

const bucketName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
    "expected a bucket name: 3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
  );

/** A folder name under backups/mysql/ (one path segment). */
const backupName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "expected a folder name: lowercase letters, digits, '.', '_' or '-', at most 63");

const existingCluster = z
  .strictObject({
    target: z.literal("existing").describe("Deploy into a cluster that already exists (kind, k3d, minikube, or any)."),
    context: z
      .string()
      .min(1)
      .optional()
      .describe("kubeconfig context to deploy into; unset uses the kubeconfig's current context."),
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .describe("Path to the kubeconfig file; unset uses $KUBECONFIG or ~/.kube/config, as kubectl does."),
    storageClass: z
      .string()
      .min(1)
      .optional()
      .describe("StorageClass for the platform's volumes; unset uses the cluster's default StorageClass."),
    gpuPools: z
      .record(z.string().regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/, "expected a short name: lowercase letters, digits and '-', at most 32"), existingGpuPool)
      .default({})
      .describe("GPU node pools of the cluster, by name, selected by node label; the kit adds the device plugin and DCGM exporter to preinstalled-driver pools, the GPU Operator its own to its pools."),
  })
  .describe("Where the platform runs.");

const minioObjectStore = z.strictObject({
  kind: z.literal("minio").describe("In-cluster MinIO (Deployment `minio`, Service `minio-service`), as upstream KFP runs it."),
  bucket: bucketName.default("mlpipeline").describe("Bucket holding pipeline artifacts and Argo logs."),
  storageSize: storageQuantity.default("20Gi").describe("Size of the MinIO volume (PVC `minio-pvc`)."),
  resources: containerResources({
    requests: { cpu: "20m", memory: "100Mi" },
    limits: { memory: "1Gi" },
  }).describe("MinIO container requests and limits (upstream requests 20m/100Mi and sets no limit)."),
});

const inClusterDatabase = z.strictObject({
  kind: z.literal("in-cluster").describe("In-cluster MySQL 8.4 (Deployment and Service `mysql`), as upstream KFP runs it."),
  storageSize: storageQuantity.default("20Gi").describe("Size of the MySQL volume (PVC `mysql-pv-claim`)."),
  resources: containerResources({
    requests: { cpu: "100m", memory: "800Mi" },
    limits: { memory: "2Gi" },
  }).describe("MySQL container requests and limits (upstream requests 100m/800Mi and sets no limit)."),
});

/** registry/repository:tag[@sha256:...], registry spelled out (the images-pinned policy judges the tag). */
const imageReference = z
  .string()
  .regex(/^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._\/-]+:[\w][\w.-]{0,127}(@sha256:[a-f0-9]{64})?$/, 'expected registry/repository:tag, such as "nvcr.io/nvidia/cuda:12.8.1-runtime-ubuntu24.04"')
  .superRefine((ref, ctx) => {
    if (ref.includes("@sha256:")) return;
    const floating = floatingTagReason(ref.slice(ref.lastIndexOf(":") + 1), FLOATING_TAGS, MIN_VERSION_PARTS);
    if (floating) ctx.addIssue({ code: "custom", input: ref, message: `uses ${floating}: it pins nothing (the images-pinned policy refuses it); pin an exact version tag here, or add @sha256:<digest>` });
  });

const imageSettings = z
  .strictObject({
    registry: z
      .string()
      .regex(/^[a-z0-9.-]+(:[0-9]+)?(\/[a-z0-9._-]+)*$/, 'expected a registry host with optional port and path, such as "registry.internal:5000/mirror"')
      .optional()
      .describe("Private mirror: every image's registry host is replaced by this (air-gapped installs). `npm run images` lists what to mirror."),
    digests: z
      .partialRecord(z.enum(IMAGE_NAMES), z.string().regex(/^sha256:[a-f0-9]{64}$/, 'expected a digest "sha256:<64 hex>"'))
      .default({})
      .describe("Content digests by image name (names as in modules/versions.ts): the pull is pinned to those bytes."),
    prepull: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Run the pre-pull DaemonSets (KFP's per-step images on every node)."),
        cpu: z.array(imageReference).default([]).describe("Base images of your steps to keep on every CPU node."),
        gpu: z.array(imageReference).default([]).describe("Base images (CUDA) to keep on every GPU pool node."),
      })
      .prefault({})
      .describe("Images kept on every node so a step on a new node does not wait for its pull (docs/images.md)."),
  })
  .prefault({});

const stackConfigBase = z.strictObject({
    environment: z
      .enum(ENVIRONMENTS)
      .describe("Environment class: sets policy enforcement and what safety the stack must have (prod needs backups)."),
    cluster: z.discriminatedUnion("target", [existingCluster, awsCluster, gcpCluster]).describe("Where the platform runs."),
    objectStore: z
      .discriminatedUnion("kind", [minioObjectStore, s3ObjectStore, gcsObjectStore])
      .prefault({ kind: "minio" })
      .describe("Object store for the pipeline root, Argo artifacts and logs."),
    database: z
      .discriminatedUnion("kind", [inClusterDatabase, rdsDatabase, cloudSqlDatabase])
      .prefault({ kind: "in-cluster" })
      .describe("MySQL for KFP runs, the cache and ML Metadata."),
    platformNamespace: dnsLabel
      .default("kubeflow")
      .describe(
        "Namespace of the KFP control plane and its data services, created (and deleted with the stack) by the kit. Keep `kubeflow`: KFP's pipeline pods fall back to `*.kubeflow` service names. The cluster's own namespaces, the monitoring namespace and the kit's GPU namespaces are refused.",
      ),
    platformPodSecurity: z
      .enum(["baseline", "privileged", "restricted"])
      .default("baseline")
      .describe(
        "Pod Security level enforced (and warned and audited) in the platform namespace, where standalone KFP runs its pipeline steps. " +
          "`baseline` refuses privileged steps, host networking and host paths; `privileged` allows them (multi-node NCCL over the host network, FUSE mounts). " +
          "`restricted` is refused: KFP 2.14.0's step pods (the launcher init container, the step's main container) set no securityContext the level requires.",
      ),
    images: imageSettings.describe("Where images are pulled from."),
    kfp: kfpSettings.describe("Kubeflow Pipelines and Argo Workflows."),
    gpu: gpuSettings.describe("GPU software and the CUDA versions pipelines need."),
    monitoring: monitoringSettings.describe("Prometheus, Alertmanager and Grafana with the platform's monitors, alerts and dashboards (docs/monitoring.md)."),
    teams: z.array(team).default([]).describe("Teams, each with its own namespace, RBAC, quota, limit range and network fences (docs/teams.md)."),
    platformAdmins: platformAdmins.describe("Who holds cluster-admin, in one place."),
    backup: z
      .strictObject({
        schedule: z
          .string()
          .regex(/^(\S+\s+){4}\S+$/, 'expected a five-field cron schedule such as "0 2 * * *"')
          .default("0 2 * * *")
          .describe("When the logical backup of KFP's databases runs (UTC)."),
        retentionDays: z.number().int().min(1).default(14).describe("Days a logical backup is kept in the object store before the backup job prunes it."),
        name: backupName
          .optional()
          .describe(
            "The stack's folder under backups/mysql/: the backup job writes and prunes only there. Default: the cluster's name (aws, gcp), else the stack's name. Stacks sharing a bucket (a DR stack on the primary's replica) need different names.",
          ),
      })
      .prefault({})
      .describe("Logical backups of KFP's databases to the object store (under backups/mysql/<name>/), on every stack."),
    restore: z
      .strictObject({
        backup: z
          .string()
          .regex(/^(latest|\d{8}T\d{6}Z)$/, 'expected "latest" or a backup stamp such as "20261129T020000Z"')
          .describe("The logical backup to load (a stamp under backups/mysql/<from>/ in the object store, or the newest)."),
        from: backupName
          .optional()
          .describe("Whose backups to load: another stack's backup name, e.g. the primary's cluster name on a DR stack whose bucket is the replica (read-only); default this stack's own."),
      })
      .optional()
      .describe("Load a logical backup into the new database before KFP starts (disaster recovery; docs/disaster-recovery.md). Remove after the restore."),
    allowGpuQuotaOvercommit: z
      .boolean()
      .default(false)
      .describe("Let the teams' GPU quotas add up to more than the GPU pools can hold (quotas then promise GPUs that may not come)."),
    alertReceiverSecrets: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe(
        "Each alert receiver's credential by receiver name (Slack or webhook URL, PagerDuty routing key, SMTP password), encrypted: `pulumi config set --secret --path 'kfp-platform:alertReceiverSecrets.<receiver>' <value>`.",
      ),
    oidcClientSecret: z
      .string()
      .min(1)
      .optional()
      .describe("With kfp.mode multi-user: the OIDC client secret, encrypted in the stack file (`pulumi config set --secret kfp-platform:oidcClientSecret ...` writes it as `secure:`); plain text is refused."),
    protectData: z
      .boolean()
      .optional()
      .describe("Mark stateful resources (volumes, databases, buckets, keys, the cluster) `protect`ed against deletion; defaults to true in prod."),
  });

export const stackConfigSchema = stackConfigBase
  .superRefine((config, ctx) => {
    checkAlertReceivers(config, ctx);
    if (config.platformPodSecurity === "restricted") {
      ctx.addIssue({
        code: "custom",
        path: ["platformPodSecurity"],
        input: config.platformPodSecurity,
        message: `the platform namespace runs the pipelines of single-user KFP, and ${RESTRICTED_STEP_PODS}; use baseline (the default) or privileged`,
      });
    }
    checkGpuConfig(config, ctx);
    checkPlatformNamespace(config, ctx);
    if (config.kfp.mode === "multi-user") {
      if (!config.oidcClientSecret) {
        ctx.addIssue({ code: "custom", path: ["oidcClientSecret"], input: undefined, message: "kfp.mode multi-user needs the OIDC client secret: pulumi config set --secret kfp-platform:oidcClientSecret <secret>" });
      }
      if (config.platformNamespace !== "kubeflow") {
        ctx.addIssue({ code: "custom", path: ["platformNamespace"], input: config.platformNamespace, message: "multi-user runs execute in team namespaces, whose KFP pods reach the control plane at *.kubeflow names hard-coded in KFP 2.14.0; keep kubeflow" });
      }
    }
    checkTeams(config, ctx);
    const prod = config.environment === "prod";
    if (prod) checkProdExposure(config, ctx);
    if (prod && config.database.kind === "in-cluster") {
      ctx.addIssue({
        code: "custom",
        path: ["database", "kind"],
        input: config.database.kind,
        message:
          "prod needs database backups and the in-cluster MySQL has none; use a managed database (rds on aws, cloudsql on gcp) or environment dev or staging",
      });
    }
    const onAws = config.cluster.target === "aws";
    if (config.objectStore.kind === "gcs" && config.kfp.mode === "multi-user") {
      ctx.addIssue({ code: "custom", path: ["kfp", "mode"], input: "multi-user", message: "multi-user on GCS is not built yet: team namespaces would need the store's one HMAC key; use single-user, or MinIO" });
    }
    if (config.database.kind === "cloudsql" && config.cluster.target !== "gcp") {
      ctx.addIssue({ code: "custom", path: ["database", "kind"], input: "cloudsql", message: "cloudsql needs cluster.target gcp, which creates it in the cluster's network" });
    }
    if (prod && config.database.kind === "cloudsql") {
      if (config.database.highAvailability === false) {
        ctx.addIssue({ code: "custom", path: ["database", "highAvailability"], input: false, message: "prod needs a standby in a second zone; remove the key (default true in prod) or set true" });
      }
      const days = config.database.backupRetentionDays;
      if (days !== undefined && days < PROD_BACKUP_DAYS) {
        ctx.addIssue({ code: "custom", path: ["database", "backupRetentionDays"], input: days, message: `prod needs at least ${PROD_BACKUP_DAYS} days of backups` });
      }
    }
    if (config.objectStore.kind === "gcs" && config.cluster.target !== "gcp") {
      ctx.addIssue({ code: "custom", path: ["objectStore", "kind"], input: "gcs", message: "gcs needs cluster.target gcp, which creates it in the cluster's project with Workload Identity" });
    }
    for (const [key, kind] of [["objectStore", config.objectStore.kind], ["database", config.database.kind]] as const) {
      if ((kind === "s3" || kind === "rds") && !onAws) {
        ctx.addIssue({ code: "custom", path: [key, "kind"], input: kind, message: `${kind} needs cluster.target aws, which creates it in the cluster's VPC and account` });
      }
    }
    if (config.cluster.target === "aws" && config.cluster.imageCaches.enabled && config.images.registry) {
      ctx.addIssue({
        code: "custom",
        path: ["cluster", "imageCaches", "enabled"],
        input: true,
        message: `pull-through caches would go unused: images.registry (${config.images.registry}) serves every image; set cluster.imageCaches.enabled: false, or drop images.registry`,
      });
    }
    if (config.cluster.target === "aws" && config.cluster.disasterRecovery) {
      const dr = config.cluster.disasterRecovery;
      if (dr.region === config.cluster.region) {
        ctx.addIssue({ code: "custom", path: ["cluster", "disasterRecovery", "region"], input: dr.region, message: "is the cluster's own region: copies there survive nothing a region loses" });
      }
      if (config.objectStore.kind !== "s3") {
        ctx.addIssue({ code: "custom", path: ["cluster", "disasterRecovery"], input: dr, message: "copies the S3 artifact bucket (and the logical backups in it): set objectStore.kind s3" });
      } else if (config.objectStore.bucket === dr.replicaBucket) {
        ctx.addIssue({ code: "custom", path: ["cluster", "disasterRecovery", "replicaBucket"], input: dr.replicaBucket, message: "is the primary bucket's name: S3 bucket names are global, pick another" });
      }
      if (config.objectStore.kind === "s3" && config.objectStore.existingBucket) {
        ctx.addIssue({ code: "custom", path: ["cluster", "disasterRecovery"], input: dr, message: "replicates the bucket this stack creates; an adopted bucket (objectStore.existingBucket) is not replicated by the kit" });
      }
    }
    if (prod && config.database.kind === "rds") {
      if (config.database.multiAz === false) {
        ctx.addIssue({ code: "custom", path: ["database", "multiAz"], input: false, message: "prod needs a standby in a second zone; remove the key (default true in prod) or set true" });
      }
      const days = config.database.backupRetentionDays;
      if (days !== undefined && days < PROD_BACKUP_DAYS) {
        ctx.addIssue({ code: "custom", path: ["database", "backupRetentionDays"], input: days, message: `prod needs at least ${PROD_BACKUP_DAYS} days of backups` });
      }
    }
  })
  .transform((config) => withEnvironmentDefaults(config));

/** Fewest days of database backups (point-in-time recovery) prod accepts; policies/config/prod.json requires the same. */
export const PROD_BACKUP_DAYS = 14;
/** Days of database backups outside prod; the data-safety policy's default minimum is the same. */
export const DEFAULT_BACKUP_DAYS = 7;

/** Defaults that depend on the environment: safety in prod, cost elsewhere. */
function withEnvironmentDefaults<C extends z.output<typeof stackConfigBase>>(config: C) {
  const prod = config.environment === "prod";
  const protectData = config.protectData ?? prod;
  const cluster =
    config.cluster.target === "aws" && config.cluster.network
      ? { ...config.cluster, network: { ...config.cluster.network, natGateways: config.cluster.network.natGateways ?? (prod ? "per-zone" : "one") } }
      : config.cluster;
  const database =
    config.database.kind === "rds"
      ? {
          ...config.database,
          multiAz: config.database.multiAz ?? prod,
          backupRetentionDays: config.database.backupRetentionDays ?? (prod ? PROD_BACKUP_DAYS : DEFAULT_BACKUP_DAYS),
          deletionProtection: protectData,
        }
      : config.database.kind === "cloudsql"
        ? {
            ...config.database,
            highAvailability: config.database.highAvailability ?? prod,
            backupRetentionDays: config.database.backupRetentionDays ?? (prod ? PROD_BACKUP_DAYS : DEFAULT_BACKUP_DAYS),
          }
        : config.database;
  const profile = config.monitoring.profile ?? (prod ? "production" : "light");
  const monitoring = {
    ...config.monitoring,
    profile,
    retention: config.monitoring.retention ?? PROFILES[profile].retention,
    storageSize: config.monitoring.storageSize ?? PROFILES[profile].storageSize,
    replicas: config.monitoring.replicas ?? PROFILES[profile].replicas,
  };
  return { ...config, protectData, cluster, database, monitoring };
}

/** A validated stack configuration, defaults applied. */
export type StackConfig = z.output<typeof stackConfigSchema>;
