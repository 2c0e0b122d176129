// The ConfigMaps KFP's components read: the install-wide settings, the launcher's pipeline root, the
// MLMD address for pipeline pods, and the UI's viewer pod template. Keys are upstream's.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { Database } from "../foundation/contract";
import type { ImageResolver } from "../images";
import { objectMeta } from "../k8s/metadata";
import { releases } from "../versions";
import { INSTALL_CONFIG } from "./env";
import { LAUNCHER_CONFIG } from "../foundation/names";
import type { ObjectStoreWiring } from "./object-store";
import type { ChildOptions } from "./options";

export const METADATA_GRPC_SERVICE = "metadata-grpc-service";
export const METADATA_GRPC_PORT = 8080;

export interface ConfigMapsArgs {
  readonly namespace: string;
  readonly database: Database;
  readonly bucket: string;
  readonly wiring: ObjectStoreWiring;
  readonly images: ImageResolver;
  /** ServiceAccount of the viewer (TensorBoard) pods the UI starts. */
  readonly viewerServiceAccount: string;
  readonly cronScheduleTimezone: string;
  readonly opts: ChildOptions;
}

export function createConfigMaps(prefix: string, args: ConfigMapsArgs): k8s.core.v1.ConfigMap[] {
  const { namespace, database, opts } = args;
  const port = String(database.port);
  const installConfig = new k8s.core.v1.ConfigMap(
    `${prefix}-install-config`,
    {
      metadata: objectMeta(INSTALL_CONFIG, namespace),
      data: {
        appName: "pipeline",
        appVersion: releases.kfp.version,
        // Both key pairs: cache server and MLMD read dbHost/dbPort, the API server mysqlHost/mysqlPort.
        dbHost: database.host,
        dbPort: port,
        mysqlHost: database.host,
        mysqlPort: port,
        dbType: "mysql",
        mlmdDb: database.databases.metadata,
        cacheDb: database.databases.cache,
        pipelineDb: database.databases.pipelines,
        bucketName: args.bucket,
        defaultPipelineRoot: args.wiring.pipelineRoot,
        autoUpdatePipelineDefaultVersion: "true",
        cronScheduleTimezone: args.cronScheduleTimezone,
        cacheImage: args.images.ref("cacheImage"),
        cacheNodeRestrictions: "false",
        MAXIMUM_CACHE_STALENESS: "",
        DEFAULT_CACHE_STALENESS: "",
        ConMaxLifeTime: "120s",
        LOG_LEVEL: "info",
        warning: "Managed by kfp-platform (Pulumi): change the stack file and run `pulumi up`, not kubectl edit.",
      },
    },
    opts(),
  );
  const launcher = launcherConfigMap(`${prefix}-launcher`, namespace, args.wiring, opts());
  const metadataGrpc = metadataGrpcConfigMap(`${prefix}-metadata-grpc`, namespace, METADATA_GRPC_SERVICE, opts());
  const ui = new k8s.core.v1.ConfigMap(
    `${prefix}-ui`,
    {
      metadata: objectMeta("ml-pipeline-ui-configmap", namespace),
      data: { "viewer-pod-template.json": JSON.stringify({ spec: { serviceAccountName: args.viewerServiceAccount } }, null, 4) },
    },
    opts(),
  );
  return [installConfig, launcher, metadataGrpc, ui];
}

/** ConfigMap kfp-launcher: the pipeline root runs in `namespace` write to, and how the launcher opens it. */
export function launcherConfigMap(resourceName: string, namespace: string, wiring: Pick<ObjectStoreWiring, "pipelineRoot" | "launcherProviders">, opts: pulumi.CustomResourceOptions) {
  return new k8s.core.v1.ConfigMap(
    resourceName,
    { metadata: objectMeta(LAUNCHER_CONFIG, namespace), data: { defaultPipelineRoot: wiring.pipelineRoot, providers: stringify(wiring.launcherProviders) } },
    opts,
  );
}

/** ConfigMap metadata-grpc-configmap: pipeline pods load it (envFrom, optional) to find ML Metadata. */
export function metadataGrpcConfigMap(resourceName: string, namespace: string, host: string, opts: pulumi.CustomResourceOptions) {
  return new k8s.core.v1.ConfigMap(
    resourceName,
    {
      metadata: objectMeta("metadata-grpc-configmap", namespace, { component: "metadata-grpc-server" }),
      data: { METADATA_GRPC_SERVICE_HOST: host, METADATA_GRPC_SERVICE_PORT: String(METADATA_GRPC_PORT) },
    },
    opts,
  );
}
