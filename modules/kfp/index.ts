// Standalone Kubeflow Pipelines 2.14.0 with Argo Workflows v3.6.7: every object upstream's
// cluster-scoped-resources and env/platform-agnostic create (the data services come from the
// foundation), wired to whatever object store and database the foundation provides.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Foundation } from "../foundation/contract";
import type { DatabaseClient } from "../foundation/database-clients";
import type { KfpSettings } from "../config/kfp";
import type { ImageResolver } from "../images";
import { objectMeta } from "../k8s/metadata";
import { ARTIFACT_KEY_SECRET, OBJECT_STORE_CLIENTS } from "../foundation/names";
import { stepDefaultsLimitRange } from "../k8s/step-defaults";
import { createArgo } from "./argo";
import { createCacheWebhookCertificate, registerCacheWebhook } from "./cache-webhook";
import { createConfigMaps } from "./config-maps";
import { CACHE_SERVICE, createControlPlane } from "./control-plane";
import { crdSpec, KFP_CRDS } from "./crds";
import { createDbIndexJob } from "./db-indexes";
import { createRunRetention } from "./run-retention";
import { objectStoreWiring } from "./object-store";
import { childOptions } from "./options";
import { KfpGateway } from "./multi-user/gateway";
import { kfpMode } from "./multi-user/mode";
import { createPlatformPolicies } from "./multi-user/network";
import { createMultiUserRbac } from "./multi-user/rbac";
import { createCacheDeployerServiceAccount, createNamespacedRbac } from "./rbac";

export interface KubeflowPipelinesArgs {
  /** Cluster, namespace, object store and database, whichever target filled them. */
  readonly foundation: Foundation;
  readonly settings: KfpSettings;
  readonly images: ImageResolver;
  /** With settings.mode multi-user: what the gateway and the platform's NetworkPolicies need. */
  readonly multiUser?: {
    readonly clientSecret: pulumi.Input<string>;
    /** User -> the team namespaces they belong to. */
    readonly namespacesByUser: Readonly<Record<string, readonly string[]>>;
    /** Every team namespace, where runs execute (run retention prunes each). */
    readonly teamNamespaces: readonly string[];
    readonly monitoringNamespace?: string;
    readonly inClusterMysql: boolean;
    /** Database clients other parts run (backups, the bootstrap, monitoring); in-cluster MySQL admits them and KFP's own. */
    readonly databaseClients: readonly DatabaseClient[];
  };
}


export class KubeflowPipelines extends pulumi.ComponentResource {
  /** In-cluster address of the API (gRPC 8887, HTTP 8888) and of the UI (Service port 80). */
  readonly apiEndpoint: string;
  readonly uiService: string;
  readonly pipelineRoot: string;

  constructor(name: string, args: KubeflowPipelinesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:kfp:KubeflowPipelines", name, {}, opts);
    const { foundation, settings, images } = args;
    const namespace = foundation.namespace;
    const clusterScoped = childOptions(this, foundation.provider, []);
    const crds = KFP_CRDS.map(
      (fact) =>
        new k8s.apiextensions.v1.CustomResourceDefinition(
          `${name}-crd-${fact.plural}`,
          { metadata: objectMeta(`${fact.plural}.${fact.group}`, undefined, {}, fact.annotations), spec: crdSpec(fact) },
          clusterScoped(),
        ),
    );
    // Namespaced objects wait for the namespace.
    const inNamespace = childOptions(this, foundation.provider, [foundation.namespaceResource]);
    const mode = kfpMode(settings.mode, namespace);
    const wiring = objectStoreWiring(foundation.objectStore, settings.pipelineRootPath, mode.argoKeyFormat);

    createCacheDeployerServiceAccount(`${name}-cache-deployer`, namespace, inNamespace());
    // Without keys (IRSA, Workload Identity) upstream's key Secret must still exist, empty: the UI's
    // manifests and KFP's defaults name it.
    const emptyKeys =
      foundation.objectStore.auth.kind === "secret"
        ? []
        : [new k8s.core.v1.Secret(`${name}-empty-artifact-keys`, { metadata: objectMeta(ARTIFACT_KEY_SECRET, namespace), type: "Opaque", stringData: { accesskey: "", secretkey: "" } }, inNamespace())];
    createNamespacedRbac(`${name}-rbac`, { namespace, serviceAccountAnnotations: storeIdentity(foundation), opts: inNamespace() });
    // Multi-user keeps every namespaced Role and adds upstream's cluster-wide ones beside them.
    const clusterRoles = mode.multiUser ? createMultiUserRbac(`${name}-multi-user`, namespace, inNamespace()) : [];
    const configMaps = createConfigMaps(`${name}-config`, {
      namespace,
      database: foundation.database,
      bucket: foundation.objectStore.bucket,
      wiring,
      images,
      viewerServiceAccount: mode.viewerServiceAccount,
      cronScheduleTimezone: settings.cronScheduleTimezone,
      opts: inNamespace,
    });

    const certificate = createCacheWebhookCertificate(`${name}-cache-webhook`, { namespace, service: CACHE_SERVICE, opts: inNamespace });
    const dataReady = [...foundation.database.readyResources, ...foundation.objectStore.readyResources, ...configMaps, ...crds, ...emptyKeys, ...clusterRoles];
    const controlPlane = createControlPlane(
      name,
      { namespace, settings, database: foundation.database, wiring, mode, images, opts: inNamespace },
      dataReady,
      certificate.secret,
    );
    // The indexes KFP lacks on its tasks table, once the API server has created it (its first start).
    createDbIndexJob(`${name}-db-indexes`, { namespace, database: foundation.database, images, opts: inNamespace(controlPlane.apiServer) });
    if (settings.runRetentionDays !== undefined) {
      createRunRetention(`${name}-run-retention`, {
        namespace,
        images,
        retentionDays: settings.runRetentionDays,
        archiveDays: settings.runArchiveDays,
        multiUserNamespaces: mode.multiUser ? (args.multiUser?.teamNamespaces ?? []) : undefined,
        opts: inNamespace(controlPlane.apiServer),
      });
    }
    const webhook = registerCacheWebhook(`${name}-cache-webhook`, {
      namespace,
      service: CACHE_SERVICE,
      opts: inNamespace,
      caCertPem: certificate.caCertPem,
      server: controlPlane.cacheServer,
    });
    // Standalone KFP runs every pipeline step in its own namespace: steps get their defaults there.
    const stepDefaults = stepDefaultsLimitRange(`${name}-step-defaults`, namespace, settings.stepDefaults, inNamespace());
    createArgo(`${name}-argo`, { namespace, settings, database: foundation.database, wiring, mode, images, opts: inNamespace }, [webhook, stepDefaults, ...dataReady]);

    if (mode.multiUser) {
      if (!args.multiUser || !settings.multiUser) throw new Error("internal: multi-user mode without its settings (the config schema requires them)");
      new KfpGateway(
        `${name}-gateway`,
        {
          namespace,
          settings: settings.multiUser,
          clientSecret: args.multiUser.clientSecret,
          namespacesByUser: args.multiUser.namespacesByUser,
          images,
          provider: foundation.provider,
          dependsOn: [foundation.namespaceResource, ...controlPlane.services],
        },
        { parent: this },
      );
      createPlatformPolicies(`${name}-network`, { namespace, monitoringNamespace: args.multiUser.monitoringNamespace, inClusterMysql: args.multiUser.inClusterMysql, databaseClients: args.multiUser.databaseClients }, inNamespace());
    }

    this.apiEndpoint = `ml-pipeline.${namespace}:8887`;
    this.uiService = `ml-pipeline-ui.${namespace}`;
    this.pipelineRoot = wiring.pipelineRoot;
    this.registerOutputs({ apiEndpoint: this.apiEndpoint, uiService: this.uiService, pipelineRoot: this.pipelineRoot });
  }
}

/**
 * IRSA and Workload Identity: the object-store clients' service accounts carry the identity to assume,
 * and so do the readers' (viewers, the visualization server) where the foundation made them one, which it
 * does in single-user mode only. Keys need nothing here.
 */
function storeIdentity(foundation: Foundation): Record<string, Record<string, pulumi.Input<string>>> {
  if (foundation.objectStore.clientAnnotations) return { ...foundation.objectStore.clientAnnotations } as Record<string, Record<string, pulumi.Input<string>>>;
  const auth = foundation.objectStore.auth;
  const clients = Object.values(OBJECT_STORE_CLIENTS);
  if (auth.kind === "aws-role") {
    return Object.fromEntries(Object.entries(auth.roleArns).filter(([, arn]) => arn).map(([sa, arn]) => [sa, { "eks.amazonaws.com/role-arn": arn! }]));
  }
  if (auth.kind === "gcp-service-account") return Object.fromEntries(clients.map((sa) => [sa, { "iam.gke.io/gcp-service-account": auth.email }]));
  return {};
}
