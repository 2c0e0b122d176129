// KFP 2.14.0's service accounts, roles and bindings (single-user, namespaced Argo install), as upstream
// defines them. Facts only: the builder in rbac.ts turns them into objects.

export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): Rule => ({
  apiGroups,
  resources,
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});
const CRUD = ["create", "get", "list", "watch", "update", "patch", "delete"];

/** Service accounts in the KFP namespace, with upstream's extra labels. */
export const SERVICE_ACCOUNTS: Record<string, Record<string, string>> = {
  argo: {},
  "kubeflow-pipelines-cache": { app: "cache-server" },
  "kubeflow-pipelines-container-builder": {},
  "kubeflow-pipelines-metadata-writer": {},
  "kubeflow-pipelines-viewer": {},
  "metadata-grpc-server": {},
  "ml-pipeline": {},
  "ml-pipeline-persistenceagent": {},
  "ml-pipeline-scheduledworkflow": {},
  "ml-pipeline-ui": {},
  "ml-pipeline-viewer-crd-service-account": {},
  "ml-pipeline-visualizationserver": {},
  "pipeline-runner": {},
};
/** The zero-replica cache deployer's ServiceAccount (control-plane.ts), kept and bound to nothing: see LEFT_OUT_RBAC. */
export const CACHE_DEPLOYER_SA = "kubeflow-pipelines-cache-deployer-sa";

export interface RoleFact {
  labels?: Record<string, string>;
  rules: Rule[];
  /** Binding name, its labels and the service account it binds. */
  binding: { name: string; serviceAccount: string; labels?: Record<string, string> };
}

const podWatcher: Rule[] = [
  rule([""], ["pods"], ["get", "list", "watch", "update", "patch"]),
  rule([""], ["configmaps"], ["get"]),
  rule(["argoproj.io"], ["workflows"], ["get", "list", "watch", "update", "patch"]),
];

export const ROLES: Record<string, RoleFact> = {
  "argo-role": {
    rules: [
      rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"]),
      rule([""], ["pods", "pods/exec"], CRUD),
      rule([""], ["configmaps"], ["get", "watch", "list"]),
      rule([""], ["persistentvolumeclaims", "persistentvolumeclaims/finalizers"], ["create", "update", "delete", "get"]),
      rule(
        ["argoproj.io"],
        ["workflows", "workflows/finalizers", "workflowtasksets", "workflowtasksets/finalizers", "workflowartifactgctasks"],
        ["get", "list", "watch", "update", "patch", "delete", "create"],
      ),
      rule(["argoproj.io"], ["workflowtemplates", "workflowtemplates/finalizers"], ["get", "list", "watch"]),
      rule(["argoproj.io"], ["workflowtaskresults"], ["list", "watch", "deletecollection"]),
      rule([""], ["serviceaccounts"], ["get", "list"]),
      rule([""], ["secrets"], ["get"]),
      rule(["argoproj.io"], ["cronworkflows", "cronworkflows/finalizers"], ["get", "list", "watch", "update", "patch", "delete"]),
      rule([""], ["events"], ["create", "patch"]),
      rule(["policy"], ["poddisruptionbudgets"], ["create", "get", "delete"]),
    ],
    binding: { name: "argo-binding", serviceAccount: "argo" },
  },
  "kubeflow-pipelines-cache-role": {
    labels: { app: "cache-server" },
    rules: podWatcher,
    binding: { name: "kubeflow-pipelines-cache-binding", serviceAccount: "kubeflow-pipelines-cache", labels: { app: "cache-server" } },
  },
  "kubeflow-pipelines-metadata-writer-role": {
    labels: { app: "kubeflow-pipelines-metadata-writer-role" },
    rules: podWatcher,
    binding: { name: "kubeflow-pipelines-metadata-writer-binding", serviceAccount: "kubeflow-pipelines-metadata-writer" },
  },
  "ml-pipeline": {
    labels: { app: "ml-pipeline" },
    rules: [
      rule([""], ["pods", "pods/log"], ["get", "list", "delete"]),
      rule(["argoproj.io"], ["workflows"], CRUD),
      rule(["kubeflow.org"], ["scheduledworkflows"], ["create", "get", "list", "update", "patch", "delete"]),
      rule(["kubeflow.org"], ["scheduledworkflows/finalizers"], ["update"]),
      rule(["pipelines.kubeflow.org"], ["pipelines"], ["get", "list", "watch"]),
      rule(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"]),
      rule(["authentication.k8s.io"], ["tokenreviews"], ["create"]),
    ],
    binding: { name: "ml-pipeline", serviceAccount: "ml-pipeline", labels: { app: "ml-pipeline" } },
  },
  "ml-pipeline-persistenceagent-role": {
    rules: [
      rule(["argoproj.io"], ["workflows"], ["get", "list", "watch"]),
      rule(["kubeflow.org"], ["scheduledworkflows"], ["get", "list", "watch"]),
      rule(["pipelines.kubeflow.org"], ["scheduledworkflows", "workflows"], ["report"]),
      rule(["pipelines.kubeflow.org"], ["runs"], ["reportMetrics", "readArtifact"]),
    ],
    binding: { name: "ml-pipeline-persistenceagent-binding", serviceAccount: "ml-pipeline-persistenceagent" },
  },
  "ml-pipeline-scheduledworkflow-role": {
    labels: { app: "ml-pipeline-scheduledworkflow-role" },
    rules: [
      rule(["argoproj.io"], ["workflows"], CRUD),
      rule(["kubeflow.org"], ["scheduledworkflows", "scheduledworkflows/finalizers"], CRUD),
      rule(["pipelines.kubeflow.org"], ["runs"], ["create"]),
      rule([""], ["events"], ["create", "patch"]),
    ],
    binding: { name: "ml-pipeline-scheduledworkflow-binding", serviceAccount: "ml-pipeline-scheduledworkflow" },
  },
  "ml-pipeline-ui": {
    labels: { app: "ml-pipeline-ui" },
    rules: [
      rule([""], ["pods", "pods/log"], ["get"]),
      rule([""], ["events"], ["list"]),
      rule([""], ["secrets", "configmaps"], ["get", "list"]),
      rule(["kubeflow.org"], ["viewers"], ["create", "get", "list", "watch", "delete"]),
      rule(["argoproj.io"], ["workflows"], ["get", "list"]),
    ],
    binding: { name: "ml-pipeline-ui", serviceAccount: "ml-pipeline-ui", labels: { app: "ml-pipeline-ui" } },
  },
  "ml-pipeline-viewer-controller-role": {
    rules: [
      rule(["*"], ["deployments", "services"], CRUD),
      rule(["kubeflow.org"], ["viewers", "viewers/finalizers"], CRUD),
    ],
    binding: { name: "ml-pipeline-viewer-crd-binding", serviceAccount: "ml-pipeline-viewer-crd-service-account" },
  },
  "pipeline-runner": {
    rules: [
      rule([""], ["secrets"], ["get"]),
      rule([""], ["configmaps"], ["get", "watch", "list"]),
      rule([""], ["persistentvolumes", "persistentvolumeclaims"], ["*"]),
      rule(["snapshot.storage.k8s.io"], ["volumesnapshots"], ["create", "delete", "get"]),
      rule(["argoproj.io"], ["workflows"], ["get", "list", "watch", "update", "patch"]),
      rule([""], ["pods", "pods/exec", "pods/log", "services"], ["*"]),
      rule(["", "apps", "extensions"], ["deployments", "replicasets"], ["*"]),
      rule(["kubeflow.org"], ["*"], ["*"]),
      rule(["batch"], ["jobs"], ["*"]),
      rule(["machinelearning.seldon.io"], ["seldondeployments"], ["*"]),
      rule(["argoproj.io"], ["workflowtaskresults"], ["create", "patch"]),
    ],
    binding: { name: "pipeline-runner-binding", serviceAccount: "pipeline-runner" },
  },
};

/**
 * Upstream's RBAC the kit deliberately does not create: the cache deployer's (manifests/kustomize/base/
 * cache-deployer/cluster-scoped/cache-deployer-clusterrole.yaml:7-35 at 2.14.0: create and approve
 * CertificateSigningRequests for any kubernetes.io/* signer, write MutatingWebhookConfigurations; and
 * cache-deployer-role.yaml: create, patch and delete Secrets in kubeflow). The kit issues the webhook
 * certificate itself (cache-webhook.ts) and runs the deployer at zero replicas, so the rights served
 * nothing, while any pod running as its ServiceAccount could use them, and upstream's pipeline-runner
 * Role lets every single-user step create pods in kubeflow (pipeline-runner-role.yaml: pods ["*"]):
 * a step could sign itself a kubernetes.io/kube-apiserver-client certificate for system:masters.
 */
export const LEFT_OUT_RBAC: readonly (readonly [kind: string, name: string])[] = [
  ["ClusterRole", "kubeflow-pipelines-cache-deployer-clusterrole"],
  ["ClusterRoleBinding", "kubeflow-pipelines-cache-deployer-clusterrolebinding"],
  ["Role", "kubeflow-pipelines-cache-deployer-role"],
  ["RoleBinding", "kubeflow-pipelines-cache-deployer-rolebinding"],
];
