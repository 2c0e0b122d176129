// The program: config -> foundation -> workloads -> outputs. The Pulumi CLI (through index.ts) and
// the offline engine both call main().
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, loadStackConfig, stackFilePath, type StackConfig } from "./config";
import { unexpected } from "./config/errors";
import { expectKind } from "./config/narrow";
import type { Foundation } from "./foundation/contract";
import { OBJECT_STORE_READERS } from "./foundation/names";
import { labelCommand } from "./foundation/gpu-pools";
import { copyCommand, type EcrCachePlan } from "./images/ecr-caches";
import type { ImageResolver } from "./images";
import { stackImages } from "./images/stack-images";
import { BACKUP_DATABASE_CLIENTS, DatabaseBackup, DatabaseRestore } from "./backup";
import { sdkConstraints } from "./kfp/sdk";
import { ImagePrepull } from "./prepull";
import { GpuNodeSupport } from "./gpu";
import { KubeflowPipelines } from "./kfp";
import { Monitoring } from "./monitoring";
import { mysqldExporterDatabaseClient } from "./monitoring/mysqld-exporter";
import { Tenancy } from "./tenancy";

/**
 * Builds the foundation the stack's `cluster.target` names. Each foundation is loaded only when a stack
 * targets it, so a stack loads no cloud SDK it does not use (@pulumi/aws and @pulumi/gcp take seconds).
 * `require`, not `import()`: the program is CommonJS (ts-node under the CLI, tsx offline), where require
 * loads a .ts module synchronously and import() would go through the ESM loader.
 */
function createFoundation(config: StackConfig, images: ImageResolver): Foundation {
  const common = { namespace: config.platformNamespace, protectData: config.protectData, podSecurity: config.platformPodSecurity, images };
  // Single-user viewers and the visualization server read the pipeline root with their own identity; in
  // multi-user mode neither gets one (foundation/names.ts OBJECT_STORE_READERS).
  const objectStoreReaders = config.kfp.mode === "single-user" ? Object.values(OBJECT_STORE_READERS) : [];
  switch (config.cluster.target) {
    case "existing": {
      const { ExistingCluster }: typeof import("./cloud/existing") = require("./cloud/existing");
      return new ExistingCluster("platform", {
        ...common,
        cluster: config.cluster,
        objectStore: expectKind(config.objectStore, ["minio"], "objectStore.kind on an existing cluster"),
        database: expectKind(config.database, ["in-cluster"], "database.kind on an existing cluster"),
        gpuOperatorDriver: config.gpu.operator?.driverVersion,
      });
    }
    case "aws": {
      const { AwsFoundation }: typeof import("./cloud/aws") = require("./cloud/aws");
      return new AwsFoundation("platform", {
        ...common,
        cluster: config.cluster,
        objectStore: expectKind(config.objectStore, ["s3", "minio"], "objectStore.kind on aws"),
        database: expectKind(config.database, ["rds", "in-cluster"], "database.kind on aws"),
        pipelineRootPath: config.kfp.pipelineRootPath,
        objectStoreReaders,
        teamPrincipals: Object.fromEntries(config.teams.filter((t) => t.awsPrincipals.length > 0).map((t) => [t.name, t.awsPrincipals])),
        backupRetentionDays: config.backup.retentionDays,
      });
    }
    case "gcp": {
      const { GcpFoundation }: typeof import("./cloud/gcp") = require("./cloud/gcp");
      return new GcpFoundation("platform", {
        ...common,
        cluster: config.cluster,
        objectStore: expectKind(config.objectStore, ["gcs", "minio"], "objectStore.kind on gcp"),
        database: expectKind(config.database, ["cloudsql", "in-cluster"], "database.kind on gcp"),
        gpuOperatorDriver: config.gpu.operator?.driverVersion,
        objectStoreReaders,
      });
    }
  }
}

export async function main() {
  const config = loadStackConfig();
  const reading = { keys: [] as string[] };
  try {
    return await build(config, reading);
  } catch (e) {
    // An error the schema should have prevented: one line naming the keys being read, no stack trace.
    if (e instanceof pulumi.RunError) throw e;
    throw new ConfigError(stackFilePath(pulumi.getStack()), [unexpected(reading.keys, e)]);
  }
}

/** The stack's resources from its validated config; `reading.keys` names the config values the current step reads. */
async function build(config: StackConfig, reading: { keys: string[] }) {
  reading.keys = ["images", "cluster.imageCaches"];
  const { images, caches } = stackImages(config);
  reading.keys = ["cluster", "objectStore", "database"];
  const foundation = createFoundation(config, images);
  const backupCommon = {
    // One folder per stack under backups/mysql/: the cluster's name where the kit names one, else the stack's.
    backupName: config.backup.name ?? (config.cluster.target === "existing" ? pulumi.getStack() : config.cluster.name),
    namespace: foundation.namespace,
    provider: foundation.provider,
    images,
    database: foundation.database,
    objectStore: foundation.objectStore,
    dependsOn: [foundation.namespaceResource],
  };
  reading.keys = ["backup"];
  new DatabaseBackup("backup", { ...backupCommon, schedule: config.backup.schedule, retentionDays: config.backup.retentionDays });
  // A restore must finish before anything opens the database: KFP waits for it with the bootstrap.
  reading.keys = ["restore"];
  const restore = config.restore ? new DatabaseRestore("restore", { ...backupCommon, backup: config.restore.backup, from: config.restore.from }) : undefined;
  const database = restore ? { ...foundation.database, readyResources: [...foundation.database.readyResources, restore.job] } : foundation.database;
  const monitoringNamespace = config.monitoring.enabled ? config.monitoring.namespace : undefined;
  reading.keys = ["kfp"];
  const kfp = new KubeflowPipelines("kfp", {
    foundation: { ...foundation, database },
    settings: config.kfp,
    images,
    ...(config.kfp.mode === "multi-user"
      ? {
          multiUser: {
            clientSecret: pulumi.secret(config.oidcClientSecret!),
            namespacesByUser: namespacesByUser(config.teams),
            teamNamespaces: config.teams.map((t) => t.name),
            monitoringNamespace,
            inClusterMysql: config.database.kind === "in-cluster",
            databaseClients: [
              ...BACKUP_DATABASE_CLIENTS,
              ...database.clients,
              ...(monitoringNamespace ? [mysqldExporterDatabaseClient(monitoringNamespace)] : []),
            ],
          },
        }
      : {}),
  });
  reading.keys = ["teams", "platformAdmins"];
  const tenancy = new Tenancy("tenancy", {
    foundation,
    teams: config.teams,
    platformAdmins: config.platformAdmins,
    kfp: config.kfp,
    monitoringNamespace,
    awsGroups: config.cluster.target === "aws",
  });
  reading.keys = ["images.prepull"];
  if (config.images.prepull.enabled) {
    new ImagePrepull("prepull", {
      namespace: foundation.namespace,
      images,
      declared: config.images.prepull,
      gpuPools: foundation.gpuPools,
      provider: foundation.provider,
      dependsOn: [foundation.namespaceResource],
    });
  }
  reading.keys = ["gpu", "cluster.gpuPools", "cluster.gpuGroups"];
  if (foundation.gpuPools.length > 0) {
    new GpuNodeSupport("gpu", { pools: foundation.gpuPools, provider: foundation.provider, images, operatorDriverVersion: config.gpu.operator?.driverVersion, gke: config.cluster.target === "gcp" });
  }
  reading.keys = ["monitoring"];
  const monitoring = config.monitoring.enabled
    ? new Monitoring("monitoring", {
        settings: config.monitoring,
        platformNamespace: foundation.namespace,
        kfp: { ...config.kfp.argo, workflowTtlSeconds: config.kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish },
        gpuPools: foundation.gpuPools,
        database,
        minio: foundation.objectStore.kind === "minio",
        // GKE runs kube-dns; EKS, kind, k3d and kubeadm clusters run CoreDNS.
        coreDns: config.cluster.target !== "gcp",
        storageClass: config.cluster.target === "existing" ? config.cluster.storageClass : undefined,
        images,
        receiverCredentials: pulumi.secret(config.alertReceiverSecrets ?? {}),
        provider: foundation.provider,
        dependsOn: [foundation.namespaceResource],
      })
    : undefined;
  return {
    environment: config.environment,
    // What pipeline authors pip-install against this backend (also sdk/constraints.txt).
    sdkConstraints: sdkConstraints(),
    namespace: foundation.namespace,
    objectStore: {
      kind: foundation.objectStore.kind,
      bucket: foundation.objectStore.bucket,
      endpoint: foundation.objectStore.endpoint,
    },
    database: { host: foundation.database.host, port: foundation.database.port },
    kfp: { api: kfp.apiEndpoint, ui: kfp.uiService, pipelineRoot: kfp.pipelineRoot },
    teams: config.teams.map((t) => t.name),
    ...(monitoring
      ? {
          monitoring: {
            namespace: monitoring.namespace,
            // docs/monitoring.md: Grafana at http://localhost:3000, user admin.
            grafana: `kubectl -n ${monitoring.namespace} port-forward svc/${monitoring.grafanaService} 3000:80`,
            grafanaAdminPassword: monitoring.grafanaAdminPassword,
            // Where alerts go (docs/monitoring.md); none: the plan warns.
            alertReceivers: Object.keys(config.monitoring.alerting.receivers),
          },
        }
      : {}),
    clusterAdmins: tenancy.clusterAdmins,
    gpuPools: foundation.gpuPools.map((p) => ({
      name: p.name,
      driver: p.driverVersion,
      maxCuda: p.maxCuda,
      nodeLabels: p.labels,
      ...(p.labelsApplied ? {} : { labelCommand: labelCommand(p) }),
    })),
    ...(caches && !config.images.registry ? { imageSources: imageSources(caches, images) } : {}),
    ...foundation.stackOutputs,
  };
}

/** Which registries the stack's caches serve, and each table image they do not: where to copy it, and how. */
function imageSources(caches: EcrCachePlan, images: ImageResolver) {
  return {
    registry: caches.registryHost,
    cached: caches.rules.map((r) => ({ upstream: r.upstream, via: `${caches.registryHost}/${r.prefix}` })),
    uncached: caches.uncached.map((u) => ({ image: u.source, reason: u.reason, pulledFrom: images.route(u.source), copy: copyCommand(u) })),
  };
}

/** Each user named in a team (admin, member or viewer) and the team namespaces they belong to. */
function namespacesByUser(teams: StackConfig["teams"]): Record<string, string[]> {
  const byUser: Record<string, string[]> = {};
  for (const team of teams) {
    for (const user of new Set([...team.admins, ...team.members, ...team.viewers])) (byUser[user] ??= []).push(team.name);
  }
  return byUser;
}
