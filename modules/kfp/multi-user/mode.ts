// What KFP 2.14.0's multi-user install changes on the control plane, as facts the builders consult
// (read by a helper in kubeflow/pipelines at 2.14.0, manifests/kustomize/base/installs/multi-user/*,
// and rendered with kustomize): the API server's and UI's env, controllers that watch every namespace,
// the run ServiceAccount, and a per-namespace Argo key format. Single-user mode changes nothing.
import type { EnvVar } from "../../k8s/env";
import { fromField, literal } from "../../k8s/env";
import { BUCKET_PREFIXES } from "../../foundation/names";
import { USERID_HEADER } from "./gateway-config";

export type KfpModeName = "single-user" | "multi-user";

/** The ServiceAccount runs execute as in team namespaces (api-service/params.env). */
export const RUNNER_SA = "default-editor";
/** The Service of the API server's own pods in multi-user mode; `ml-pipeline` is the gateway's. */
export const API_SERVICE = "ml-pipeline-api";
export const API_PORTS = { http: 8888, grpc: 8887 } as const;
/** The visualization server's Service (base/pipeline/ml-pipeline-visualization-service.yaml). */
export const VISUALIZATION_SERVICE = { name: "ml-pipeline-visualizationserver", port: 8888 } as const;

/**
 * What multi-user mode's API server needs to answer a visualization request for a namespace without
 * exiting: CreateVisualizationV1 builds http://<VisualizationService.Name>.<namespace>:<Port> from two
 * config keys it reads with common.GetStringConfig (backend/src/apiserver/server/visualization_server.go:
 * 133-138 at 2.14.0), which calls glog.Fatalf when a key is unset (common/config.go:41-44); viper maps
 * them to these env vars (main.go:390-394) and config.json sets neither. Upstream's values
 * (base/installs/multi-user/api-service/params.env:3-4). The kit creates no visualization server in team
 * namespaces, so such a request fails cleanly (the aliveness check, visualization_server.go:108-110,
 * 143-155). Not created on purpose: upstream's per-namespace server (pipelines-profile-controller/
 * sync.py:155-207) runs the Python a request carries (visualization/server.py:109-111) as default-editor,
 * and KFP's view role grants `visualizations create` (view-edit-cluster-roles.yaml:137-142): a viewer
 * would run code with the team's run identity. Single-user mode never reads the keys (:134).
 */
const VISUALIZATION_ENV = [literal("VISUALIZATIONSERVICE_NAME", VISUALIZATION_SERVICE.name), literal("VISUALIZATIONSERVICE_PORT", String(VISUALIZATION_SERVICE.port))];

/** Argo's key format; multi-user puts each namespace's logs under its own prefix (workflow.namespace, valid at v3.6.7). */
export function argoKeyFormat(mode: KfpModeName): string {
  const namespace = mode === "multi-user" ? "/{{workflow.namespace}}" : "";
  return `${BUCKET_PREFIXES.argoLogs}${namespace}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}`;
}

export interface KfpMode {
  readonly name: KfpModeName;
  readonly multiUser: boolean;
  /** Extra env of the API server (MULTIUSER, the identity header, whose defaults are Google IAP's, and the per-namespace visualization address). */
  readonly apiServerEnv: EnvVar[];
  /** Extra env of the UI. */
  readonly uiEnv: EnvVar[];
  /** NAMESPACE / NAMESPACE_TO_WATCH of a controller: its own namespace, or (empty) every namespace. */
  watched(name: string): EnvVar;
  /** The Service in front of the API server's pods. */
  readonly apiService: string;
  /** ServiceAccount of viewer (TensorBoard) pods the UI starts. */
  readonly viewerServiceAccount: string;
  readonly argoKeyFormat: string;
}

export function kfpMode(name: KfpModeName, namespace: string): KfpMode {
  const multiUser = name === "multi-user";
  const identity = [literal("KUBEFLOW_USERID_HEADER", USERID_HEADER), literal("KUBEFLOW_USERID_PREFIX", "")];
  return {
    name,
    multiUser,
    apiServerEnv: multiUser ? [literal("MULTIUSER", "true"), literal("DEFAULTPIPELINERUNNERSERVICEACCOUNT", RUNNER_SA), ...identity, ...VISUALIZATION_ENV] : [],
    uiEnv: multiUser
      ? [
          literal("DEPLOYMENT", "KUBEFLOW"),
          literal("ENABLE_AUTHZ", "true"),
          // Upstream leaves it unset, which hides the side navigation in KUBEFLOW mode (configs.ts).
          literal("HIDE_SIDENAV", "false"),
          ...identity,
          // The UI forwards the gateway's header to the API, so it must reach the API's pods directly, not
          // through the gateway's `ml-pipeline`, which strips the header. Explicit, not service links.
          literal("ML_PIPELINE_SERVICE_HOST", `${API_SERVICE}.${namespace}.svc.cluster.local`),
          literal("ML_PIPELINE_SERVICE_PORT", String(API_PORTS.http)),
        ]
      : [],
    watched: (env) => (multiUser ? literal(env, "") : fromField(env, "metadata.namespace")),
    apiService: multiUser ? API_SERVICE : "ml-pipeline",
    viewerServiceAccount: multiUser ? RUNNER_SA : "kubeflow-pipelines-viewer",
    argoKeyFormat: argoKeyFormat(name),
  };
}
