// KFP 2.14.0's control-plane Deployments and Services with upstream's names, selectors, ports, env var
// names, probes and security contexts; images from the versions table, sizes from config, and
// object-store and database settings from the foundation contract.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { METADATA_GRPC_PORT, METADATA_GRPC_SERVICE } from "./config-maps";
import type { ContainerResources } from "../k8s/workload";
import type { ImageName } from "../versions";
import { type EnvVar, fromField, fromInstallConfig, fromSecret, literal } from "./env";
import type { ChildOptions, KfpPartArgs } from "./options";
import { WEBHOOK_TLS_SECRET } from "./cache-webhook";
import { CACHE_DEPLOYER_SA } from "./rbac-facts";
import { VISUALIZATION_SERVICE } from "./multi-user/mode";
import { MLMD_CONFIG_DIR, MLMD_CONFIG_FILE, MLMD_CONFIG_SECRET, mlmdConfigSecret } from "./metadata-config";
import { KFP_CONTAINER_SECURITY, kfpDeployment, kfpService, RUNTIME_DEFAULT_SECCOMP, type ServicePort } from "../k8s/workload";

export const CACHE_SERVICE = "cache-server";

export type ControlPlaneArgs = KfpPartArgs;

const healthz = (port: number, path = "/apis/v1beta1/healthz") => ({
  httpGet: { path, port },
  initialDelaySeconds: 3,
  periodSeconds: 5,
  timeoutSeconds: 2,
});

/** A projected SA token for the KFP API (audience pipelines.kubeflow.org), as upstream mounts it. */
function apiToken(name: string) {
  return {
    volume: {
      name,
      projected: { sources: [{ serviceAccountToken: { path: name, expirationSeconds: 3600, audience: "pipelines.kubeflow.org" } }] },
    },
    mount: { name, mountPath: "/var/run/secrets/kubeflow/tokens" },
  };
}

/**
 * Every KFP Deployment and Service. The API server waits for the database and object store
 * (`dataReady`); the cache server waits for its TLS Secret.
 */
export function createControlPlane(prefix: string, args: ControlPlaneArgs, dataReady: pulumi.Resource[], tlsSecret: k8s.core.v1.Secret) {
  const { namespace, settings, database, images, opts, mode } = args;
  const r = settings.resources;
  const db = database.secretName;
  const dbUser = (name: string) => fromSecret(name, db, "username");
  const dbPassword = (name: string) => fromSecret(name, db, "password");
  const deployment = (name: string, spec: Parameters<typeof kfpDeployment>[2], ...after: Parameters<ChildOptions>) =>
    kfpDeployment(`${prefix}-${name}`, namespace, spec, opts(...after));
  const service = (name: string, select: Record<string, string>, ports: ServicePort[], extra?: Parameters<typeof kfpService>[6]) =>
    kfpService(`${prefix}-service-${name}`, namespace, name, select, ports, opts(), extra);

  const apiServer = deployment(
    "api-server",
    {
      name: "ml-pipeline",
      select: { app: "ml-pipeline" },
      // Not safe-to-evict (upstream marks it so): a driver fails its task when its cache call to the API
      // server fails (v2/driver/cache.go:103-106), so the API server leaves a node only through its
      // PodDisruptionBudget, one replica at a time. Replicas need no leader: at boot each runs gorm's
      // idempotent migrations, LoadSamples (a duplicate is a warning, config/config.go:141-152) and, single-
      // user, CreateDefaultExperiment, which two first starts can race into one restart of one replica
      // (unique idx_name_namespace, main.go:182-186); docs/scaling.md.
      replicas: settings.replicas.apiServer,
      highlyAvailable: true,
      resources: r.apiServer,
      pod: { serviceAccountName: "ml-pipeline", securityContext: RUNTIME_DEFAULT_SECCOMP },
      container: {
        name: "ml-pipeline-api-server",
        image: images.ref("kfpApiServer"),
        imagePullPolicy: "IfNotPresent",
        env: [
          literal("PUBLISH_LOGS", "true"),
          literal("LOG_LEVEL", "info"),
          literal("PIPELINE_LOG_LEVEL", "1"),
          fromInstallConfig("AUTO_UPDATE_PIPELINE_DEFAULT_VERSION", "autoUpdatePipelineDefaultVersion"),
          fromField("POD_NAMESPACE", "metadata.namespace"),
          ...args.wiring.apiServerEnv,
          dbUser("DBCONFIG_USER"),
          dbPassword("DBCONFIG_PASSWORD"),
          fromInstallConfig("DBCONFIG_DBNAME", "pipelineDb"),
          fromInstallConfig("DBCONFIG_HOST", "dbHost"),
          fromInstallConfig("DBCONFIG_PORT", "dbPort"),
          fromInstallConfig("DBCONFIG_CONMAXLIFETIME", "ConMaxLifeTime"),
          fromInstallConfig("DB_DRIVER_NAME", "dbType"),
          dbUser("DBCONFIG_MYSQLCONFIG_USER"),
          dbPassword("DBCONFIG_MYSQLCONFIG_PASSWORD"),
          fromInstallConfig("DBCONFIG_MYSQLCONFIG_DBNAME", "pipelineDb"),
          fromInstallConfig("DBCONFIG_MYSQLCONFIG_HOST", "mysqlHost"),
          fromInstallConfig("DBCONFIG_MYSQLCONFIG_PORT", "mysqlPort"),
          // JSON map into go-sql-driver's DSN params (client/sql.go CreateMySQLConfig), e.g. {"tls":"skip-verify"}.
          ...(database.tls ? [literal("DBCONFIG_MYSQLCONFIG_EXTRAPARAMS", JSON.stringify({ tls: database.tls }))] : []),
          literal("V2_DRIVER_IMAGE", images.ref("kfpDriver")),
          literal("V2_LAUNCHER_IMAGE", images.ref("kfpLauncher")),
          ...mode.apiServerEnv,
          // Multi-user: one SubjectAccessReview per API call, through a client at viper keys ClientQPS /
          // ClientBurst (client_manager.go:76-77, 290-295; env CLIENTQPS/CLIENTBURST via AutomaticEnv,
          // main.go:390-394), upstream 5/10: sized from the report rate (config/sizing.ts).
          ...(mode.multiUser
            ? [literal("CLIENTQPS", String(settings.apiServerClient.qps)), literal("CLIENTBURST", String(settings.apiServerClient.burst))]
            : []),
        ],
        ports: [
          { name: "http", containerPort: 8888 },
          { name: "grpc", containerPort: 8887 },
        ],
        securityContext: KFP_CONTAINER_SECURITY,
        livenessProbe: healthz(8888),
        readinessProbe: healthz(8888),
        startupProbe: { httpGet: { path: "/apis/v1beta1/healthz", port: 8888 }, failureThreshold: 12, periodSeconds: 5, timeoutSeconds: 2 },
      },
    },
    // The API server exits at start when it cannot reach MySQL or the bucket.
    ...dataReady,
  );
  // Multi-user: `ml-pipeline` is the gateway's (multi-user/gateway.ts); the API's own pods sit behind ml-pipeline-api.
  const apiService = service(mode.apiService, { app: "ml-pipeline" }, [
    { name: "http", port: 8888 },
    { name: "grpc", port: 8887 },
  ], { annotations: { "prometheus.io/port": "8888", "prometheus.io/scheme": "http", "prometheus.io/scrape": "true" } });

  // The two controllers that call the KFP API with a projected token: name = SA = container = app label.
  const apiClient = (resource: string, name: string, image: ImageName, resources: ContainerResources, env: EnvVar[], token: string) => {
    const { volume, mount } = apiToken(token);
    deployment(resource, {
      name,
      select: { app: name },
      safeToEvict: true,
      resources,
      pod: { serviceAccountName: name, securityContext: RUNTIME_DEFAULT_SECCOMP, volumes: [volume] },
      container: { name, image: images.ref(image), imagePullPolicy: "IfNotPresent", env, securityContext: KFP_CONTAINER_SECURITY, volumeMounts: [mount] },
    }, apiServer);
  };
  apiClient("persistence-agent", "ml-pipeline-persistenceagent", "kfpPersistenceAgent", r.persistenceAgent, [
    mode.watched("NAMESPACE"),
    literal("TTL_SECONDS_AFTER_WORKFLOW_FINISH", String(settings.persistenceAgent.ttlSecondsAfterWorkflowFinish)),
    literal("NUM_WORKERS", String(settings.persistenceAgent.numWorkers)),
    literal("LOG_LEVEL", "info"),
  ], "persistenceagent-sa-token");
  apiClient("scheduled-workflow", "ml-pipeline-scheduledworkflow", "kfpScheduledWorkflow", r.scheduledWorkflow, [
    literal("LOG_LEVEL", "info"),
    mode.watched("NAMESPACE"),
    fromInstallConfig("CRON_SCHEDULE_TIMEZONE", "cronScheduleTimezone"),
  ], "scheduledworkflow-sa-token");

  deployment("ui", {
    name: "ml-pipeline-ui",
    select: { app: "ml-pipeline-ui" },
    safeToEvict: true,
    resources: r.ui,
    pod: {
      serviceAccountName: "ml-pipeline-ui",
      securityContext: RUNTIME_DEFAULT_SECCOMP,
      volumes: [{ name: "config-volume", configMap: { name: "ml-pipeline-ui-configmap" } }],
    },
    container: {
      name: "ml-pipeline-ui",
      image: images.ref("kfpFrontend"),
      imagePullPolicy: "IfNotPresent",
      env: [
        literal("VIEWER_TENSORBOARD_POD_TEMPLATE_SPEC_PATH", "/etc/config/viewer-pod-template.json"),
        literal("ALLOW_CUSTOM_VISUALIZATIONS", "true"),
        fromField("FRONTEND_SERVER_NAMESPACE", "metadata.namespace"),
        literal("DISABLE_GKE_METADATA", "true"),
        ...args.wiring.uiEnv,
        ...mode.uiEnv,
      ],
      ports: [{ containerPort: 3000 }],
      securityContext: KFP_CONTAINER_SECURITY,
      volumeMounts: [{ name: "config-volume", mountPath: "/etc/config", readOnly: true }],
      livenessProbe: healthz(3000),
      readinessProbe: healthz(3000),
    },
  });
  const uiService = service("ml-pipeline-ui", { app: "ml-pipeline-ui" }, [{ name: "http", port: 80, targetPort: 3000 }], { labels: { app: "ml-pipeline-ui" } });

  deployment("viewer-crd", {
    name: "ml-pipeline-viewer-crd",
    select: { app: "ml-pipeline-viewer-crd" },
    safeToEvict: true,
    resources: r.viewerCrd,
    pod: { serviceAccountName: "ml-pipeline-viewer-crd-service-account", securityContext: RUNTIME_DEFAULT_SECCOMP },
    container: {
      name: "ml-pipeline-viewer-crd",
      image: images.ref("kfpViewerCrd"),
      imagePullPolicy: "IfNotPresent",
      env: [literal("MAX_NUM_VIEWERS", "50"), mode.watched("NAMESPACE")],
      securityContext: KFP_CONTAINER_SECURITY,
    },
  });

  deployment("visualization-server", {
    name: "ml-pipeline-visualizationserver",
    select: { app: "ml-pipeline-visualizationserver" },
    safeToEvict: true,
    resources: r.visualizationServer,
    pod: { serviceAccountName: "ml-pipeline-visualizationserver", securityContext: RUNTIME_DEFAULT_SECCOMP },
    container: {
      name: "ml-pipeline-visualizationserver",
      image: images.ref("kfpVisualizationServer"),
      imagePullPolicy: "IfNotPresent",
      ports: [{ name: "http", containerPort: VISUALIZATION_SERVICE.port }],
      securityContext: KFP_CONTAINER_SECURITY,
      livenessProbe: healthz(VISUALIZATION_SERVICE.port, "/"),
      readinessProbe: healthz(VISUALIZATION_SERVICE.port, "/"),
    },
  });
  service(VISUALIZATION_SERVICE.name, { app: "ml-pipeline-visualizationserver" }, [{ name: "http", port: VISUALIZATION_SERVICE.port }]);

  const cacheServer = deployment(
    "cache-server",
    {
      name: "cache-server",
      select: { app: "cache-server" },
      resources: r.cacheServer,
      pod: {
        serviceAccountName: "kubeflow-pipelines-cache",
        securityContext: RUNTIME_DEFAULT_SECCOMP,
        volumes: [{ name: "webhook-tls-certs", secret: { secretName: WEBHOOK_TLS_SECRET } }],
      },
      container: {
        name: "server",
        image: images.ref("kfpCacheServer"),
        imagePullPolicy: "IfNotPresent",
        args: [
          "--db_driver=$(DBCONFIG_DRIVER)",
          "--db_host=$(DBCONFIG_HOST_NAME)",
          "--db_port=$(DBCONFIG_PORT)",
          "--db_name=$(DBCONFIG_DB_NAME)",
          "--db_user=$(DBCONFIG_USER)",
          "--db_password=$(DBCONFIG_PASSWORD)",
          "--namespace_to_watch=$(NAMESPACE_TO_WATCH)",
          "--listen_port=$(WEBHOOK_PORT)",
          ...(database.tls ? [`--db_extra_params=${JSON.stringify({ tls: database.tls })}`] : []),
        ],
        env: [
          fromInstallConfig("DEFAULT_CACHE_STALENESS", "DEFAULT_CACHE_STALENESS"),
          fromInstallConfig("MAXIMUM_CACHE_STALENESS", "MAXIMUM_CACHE_STALENESS"),
          fromInstallConfig("CACHE_IMAGE", "cacheImage"),
          fromInstallConfig("CACHE_NODE_RESTRICTIONS", "cacheNodeRestrictions"),
          literal("DBCONFIG_DRIVER", "mysql"),
          fromInstallConfig("DBCONFIG_DB_NAME", "cacheDb"),
          fromInstallConfig("DBCONFIG_HOST_NAME", "dbHost"),
          fromInstallConfig("DBCONFIG_PORT", "dbPort"),
          dbUser("DBCONFIG_USER"),
          dbPassword("DBCONFIG_PASSWORD"),
          mode.watched("NAMESPACE_TO_WATCH"),
          literal("WEBHOOK_PORT", "8443"),
        ],
        ports: [{ name: "webhook-api", containerPort: 8443 }],
        securityContext: KFP_CONTAINER_SECURITY,
        readinessProbe: { tcpSocket: { port: "webhook-api" }, periodSeconds: 10 },
        volumeMounts: [{ name: "webhook-tls-certs", mountPath: "/etc/webhook/certs", readOnly: true }],
      },
    },
    tlsSecret,
    ...dataReady,
  );
  service(CACHE_SERVICE, { app: "cache-server" }, [{ port: 443, targetPort: "webhook-api" }], { labels: { app: "cache-server" } });

  // Kept under upstream's name for parity, at zero replicas: the kit issues the webhook certificate
  // itself (cache-webhook.ts), so the deployer's CSR flow, which fails on EKS, never runs. Its
  // ServiceAccount holds no rights (rbac-facts.ts LEFT_OUT_RBAC): scaled up, it would fail, not sign.
  deployment("cache-deployer", {
    name: "cache-deployer-deployment",
    select: { app: "cache-deployer" },
    replicas: 0,
    recreate: true,
    resources: r.cacheDeployer,
    pod: { serviceAccountName: CACHE_DEPLOYER_SA, securityContext: RUNTIME_DEFAULT_SECCOMP },
    container: {
      name: "main",
      image: images.ref("kfpCacheDeployer"),
      imagePullPolicy: "IfNotPresent",
      env: [fromField("NAMESPACE_TO_WATCH", "metadata.namespace")],
    },
  });

  deployment("metadata-writer", {
    name: "metadata-writer",
    select: { app: "metadata-writer" },
    resources: r.metadataWriter,
    pod: { serviceAccountName: "kubeflow-pipelines-metadata-writer", securityContext: RUNTIME_DEFAULT_SECCOMP },
    container: {
      name: "main",
      image: images.ref("kfpMetadataWriter"),
      imagePullPolicy: "IfNotPresent",
      env: [mode.watched("NAMESPACE_TO_WATCH")],
      securityContext: KFP_CONTAINER_SECURITY,
    },
  });

  // Over TLS (RDS), ML Metadata reads its login from a configuration file, the only way 1.14.0 takes
  // TLS options (metadata-config.ts); otherwise upstream's flags.
  const mlmdConfig = database.tls ? mlmdConfigSecret(`${prefix}-metadata-grpc-config`, namespace, database, opts()) : undefined;
  const mlmdLogin = mlmdConfig
    ? ["--metadata_source_config_type=config_file", `--metadata_store_server_config_file=${MLMD_CONFIG_DIR}/${MLMD_CONFIG_FILE}`]
    : [
        "--mysql_config_database=$(MYSQL_DATABASE)",
        "--mysql_config_host=$(MYSQL_HOST)",
        "--mysql_config_port=$(MYSQL_PORT)",
        "--mysql_config_user=$(DBCONFIG_USER)",
        "--mysql_config_password=$(DBCONFIG_PASSWORD)",
        "--enable_database_upgrade=true",
      ];
  deployment(
    "metadata-grpc",
    {
      name: "metadata-grpc-deployment",
      select: { component: "metadata-grpc-server" },
      resources: r.metadataGrpc,
      pod: {
        serviceAccountName: "metadata-grpc-server",
        securityContext: RUNTIME_DEFAULT_SECCOMP,
        ...(mlmdConfig ? { volumes: [{ name: "server-config", secret: { secretName: MLMD_CONFIG_SECRET } }] } : {}),
      },
      container: {
        name: "container",
        image: images.ref("mlmdServer"),
        imagePullPolicy: "IfNotPresent",
        command: ["/bin/metadata_store_server"],
        args: [`--grpc_port=${METADATA_GRPC_PORT}`, ...mlmdLogin, "--grpc_channel_arguments=grpc.max_metadata_size=16384"],
        ...(mlmdConfig ? { volumeMounts: [{ name: "server-config", mountPath: MLMD_CONFIG_DIR, readOnly: true }] } : {}),
        env: [
          dbUser("DBCONFIG_USER"),
          dbPassword("DBCONFIG_PASSWORD"),
          fromInstallConfig("MYSQL_DATABASE", "mlmdDb"),
          fromInstallConfig("MYSQL_HOST", "dbHost"),
          fromInstallConfig("MYSQL_PORT", "dbPort"),
        ],
        ports: [{ name: "grpc-api", containerPort: METADATA_GRPC_PORT }],
        securityContext: { ...KFP_CONTAINER_SECURITY, ...RUNTIME_DEFAULT_SECCOMP },
        livenessProbe: { tcpSocket: { port: "grpc-api" }, initialDelaySeconds: 3, periodSeconds: 5, timeoutSeconds: 2 },
        readinessProbe: { tcpSocket: { port: "grpc-api" }, initialDelaySeconds: 3, periodSeconds: 5, timeoutSeconds: 2 },
      },
    },
    ...dataReady,
    ...(mlmdConfig ? [mlmdConfig] : []),
  );
  service(METADATA_GRPC_SERVICE, { component: "metadata-grpc-server" }, [{ name: "grpc-api", port: METADATA_GRPC_PORT }], { labels: { app: "metadata" } });

  deployment("metadata-envoy", {
    name: "metadata-envoy-deployment",
    select: { component: "metadata-envoy" },
    podLabels: { "sidecar.istio.io/inject": "false" },
    resources: r.metadataEnvoy,
    pod: { securityContext: RUNTIME_DEFAULT_SECCOMP },
    container: {
      name: "container",
      image: images.ref("kfpMetadataEnvoy"),
      imagePullPolicy: "IfNotPresent",
      ports: [
        { name: "md-envoy", containerPort: 9090 },
        { name: "envoy-admin", containerPort: 9901 },
      ],
      securityContext: { ...KFP_CONTAINER_SECURITY, ...RUNTIME_DEFAULT_SECCOMP },
      readinessProbe: { tcpSocket: { port: "md-envoy" }, periodSeconds: 10 },
    },
  });
  service("metadata-envoy-service", { component: "metadata-envoy" }, [{ name: "md-envoy", port: 9090 }], { labels: { app: "metadata-envoy" } });

  // The gateway (multi-user) resolves these at start.
  return { apiServer, cacheServer, services: [apiService, uiService] };
}
