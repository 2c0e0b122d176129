// The cluster-wide RBAC KFP 2.14.0's multi-user install adds (manifests/kustomize/base/installs/
// multi-user/*/cluster-role*.yaml and view-edit-cluster-roles.yaml, rendered with kustomize), and Argo
// v3.6.7's cluster install (manifests/cluster-install/workflow-controller-rbac). Upstream keeps every
// namespaced Role of the single-user install and adds these beside them. Facts only; multi-user/rbac.ts
// builds the objects.
import { ROLES, rule, type Rule } from "../rbac-facts";

export interface ClusterRoleFact {
  readonly rules: Rule[];
  readonly labels?: Record<string, string>;
  readonly binding?: { readonly name: string; readonly serviceAccount: string };
}

/**
 * Each control-plane component's ClusterRole: the same rules as its namespaced Role, except the UI's,
 * which reads Secrets (artifacts) but not ConfigMaps cluster-wide (MU/pipelines-ui/cluster-role.yaml).
 */
export const COMPONENT_CLUSTER_ROLES: Record<string, ClusterRoleFact> = {
  "ml-pipeline": { rules: ROLES["ml-pipeline"].rules, binding: { name: "ml-pipeline", serviceAccount: "ml-pipeline" } },
  "ml-pipeline-persistenceagent-role": {
    rules: ROLES["ml-pipeline-persistenceagent-role"].rules,
    binding: { name: "ml-pipeline-persistenceagent-binding", serviceAccount: "ml-pipeline-persistenceagent" },
  },
  "ml-pipeline-scheduledworkflow-role": {
    rules: ROLES["ml-pipeline-scheduledworkflow-role"].rules,
    binding: { name: "ml-pipeline-scheduledworkflow-binding", serviceAccount: "ml-pipeline-scheduledworkflow" },
  },
  "ml-pipeline-ui": {
    rules: [
      rule([""], ["pods", "pods/log"], ["get"]),
      rule([""], ["events"], ["list"]),
      rule([""], ["secrets"], ["get", "list"]),
      rule(["kubeflow.org"], ["viewers"], ["create", "get", "list", "watch", "delete"]),
      rule(["argoproj.io"], ["workflows"], ["get", "list"]),
    ],
    binding: { name: "ml-pipeline-ui", serviceAccount: "ml-pipeline-ui" },
  },
  "ml-pipeline-viewer-controller-role": {
    rules: ROLES["ml-pipeline-viewer-controller-role"].rules,
    binding: { name: "ml-pipeline-viewer-crd-binding", serviceAccount: "ml-pipeline-viewer-crd-service-account" },
  },
  "kubeflow-pipelines-metadata-writer-role": {
    rules: ROLES["kubeflow-pipelines-metadata-writer-role"].rules,
    binding: { name: "kubeflow-pipelines-metadata-writer-binding", serviceAccount: "kubeflow-pipelines-metadata-writer" },
  },
  "kubeflow-pipelines-cache-role": {
    rules: ROLES["kubeflow-pipelines-cache-role"].rules,
    labels: { app: "cache-server" },
    binding: { name: "kubeflow-pipelines-cache-binding", serviceAccount: "kubeflow-pipelines-cache" },
  },
  // Argo's cluster install (workflow-controller-clusterrole.yaml at v3.6.7), bound to SA argo.
  "argo-cluster-role": {
    rules: [
      rule([""], ["pods", "pods/exec"], ["create", "get", "list", "watch", "update", "patch", "delete"]),
      rule([""], ["configmaps"], ["get", "watch", "list"]),
      rule([""], ["persistentvolumeclaims", "persistentvolumeclaims/finalizers"], ["create", "update", "delete", "get"]),
      rule(
        ["argoproj.io"],
        ["workflows", "workflows/finalizers", "workflowtasksets", "workflowtasksets/finalizers", "workflowartifactgctasks"],
        ["get", "list", "watch", "update", "patch", "delete", "create"],
      ),
      rule(["argoproj.io"], ["workflowtemplates", "workflowtemplates/finalizers", "clusterworkflowtemplates", "clusterworkflowtemplates/finalizers"], ["get", "list", "watch"]),
      rule(["argoproj.io"], ["workflowtaskresults"], ["list", "watch", "deletecollection"]),
      rule([""], ["serviceaccounts"], ["get", "list"]),
      rule(["argoproj.io"], ["cronworkflows", "cronworkflows/finalizers"], ["get", "list", "watch", "update", "patch", "delete"]),
      rule([""], ["events"], ["create", "patch"]),
      rule(["policy"], ["poddisruptionbudgets"], ["create", "get", "delete"]),
      rule([""], ["secrets"], ["get"], ["argo-workflows-agent-ca-certificates"]),
    ],
    binding: { name: "argo-binding", serviceAccount: "argo" },
  },
};

const AGGREGATE = "rbac.authorization.kubeflow.org";
export const PIPELINES_EDIT = "kubeflow-pipelines-edit";
export const PIPELINES_VIEW = "kubeflow-pipelines-view";

/** The user-facing roles team members are bound to (view-edit-cluster-roles.yaml): edit aggregates view. */
export const USER_ROLES = {
  aggregated: {
    [PIPELINES_EDIT]: { labels: { [`${AGGREGATE}/aggregate-to-kubeflow-edit`]: "true" }, selects: `${AGGREGATE}/aggregate-to-kubeflow-pipelines-edit` },
    [PIPELINES_VIEW]: {
      labels: { [`${AGGREGATE}/aggregate-to-kubeflow-pipelines-edit`]: "true", [`${AGGREGATE}/aggregate-to-kubeflow-view`]: "true" },
      selects: `${AGGREGATE}/aggregate-to-kubeflow-pipelines-view`,
    },
  },
  rules: {
    "aggregate-to-kubeflow-pipelines-edit": {
      labels: { [`${AGGREGATE}/aggregate-to-kubeflow-pipelines-edit`]: "true" },
      rules: [
        rule(["pipelines.kubeflow.org"], ["pipelines", "pipelines/versions"], ["create", "delete", "update"]),
        rule(["pipelines.kubeflow.org"], ["experiments"], ["archive", "create", "delete", "unarchive"]),
        rule(["pipelines.kubeflow.org"], ["runs"], ["archive", "create", "delete", "retry", "terminate", "unarchive", "reportMetrics", "readArtifact"]),
        rule(["pipelines.kubeflow.org"], ["jobs"], ["create", "delete", "disable", "enable"]),
        rule(["kubeflow.org"], ["scheduledworkflows"], ["*"]),
        rule(
          ["argoproj.io"],
          ["cronworkflows", "cronworkflows/finalizers", "workflows", "workflows/finalizers", "workfloweventbindings", "workflowtemplates", "workflowtaskresults"],
          ["*"],
        ),
      ],
    },
    "aggregate-to-kubeflow-pipelines-view": {
      labels: { [`${AGGREGATE}/aggregate-to-kubeflow-pipelines-view`]: "true" },
      rules: [
        rule(["pipelines.kubeflow.org"], ["pipelines", "pipelines/versions", "experiments", "jobs"], ["get", "list"]),
        rule(["pipelines.kubeflow.org"], ["runs"], ["get", "list", "readArtifact"]),
        rule(["kubeflow.org"], ["viewers"], ["create", "get", "delete"]),
        rule(["pipelines.kubeflow.org"], ["visualizations"], ["create"]),
      ],
    },
  },
} as const;

/**
 * What a run's pods do with their ServiceAccount in a team namespace (KFP 2.14.0 v2 driver and launcher,
 * Argo >= 3.4's executor): read the launcher ConfigMaps and artifact Secrets, manage the PVCs a pipeline
 * declares, read their own pod, and report task results. Narrower than upstream's pipeline-runner Role.
 */
export const RUNNER_RULES: Rule[] = [
  rule([""], ["configmaps"], ["get", "list", "watch"]),
  rule([""], ["secrets"], ["get"]),
  rule([""], ["persistentvolumeclaims"], ["create", "get", "list", "watch", "delete"]),
  rule([""], ["pods"], ["get", "watch", "patch"]),
  rule(["argoproj.io"], ["workflowtaskresults"], ["create", "patch"]),
];
