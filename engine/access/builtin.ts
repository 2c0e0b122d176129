// The ClusterRoles and ClusterRoleBindings every Kubernetes API server creates at start, which a plan
// binds to (admin, edit, view, cluster-admin) or which hold for every caller (system:basic-user...).
// Source: kubernetes v1.35 plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go, clusterRoles() and
// clusterRoleBindings(), as rendered in the same folder's testdata/cluster-roles.yaml and
// testdata/cluster-role-bindings.yaml. admin, edit and view carry no rules of their own: each has an
// aggregationRule selecting ClusterRoles labelled rbac.authorization.k8s.io/aggregate-to-<role>: "true"
// (system:aggregate-to-admin/-edit/-view hold the rules; edit is itself labelled aggregate-to-admin and
// view aggregate-to-edit), so any ClusterRole with such a label, a plan's included, widens them
// (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#aggregated-clusterroles).
import type { Rule } from "./rules";

export interface BuiltinRole {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly aggregateFrom?: string;
  readonly rules?: readonly Rule[];
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];
const READ_WRITE = [...READ, ...WRITE];
const AGGREGATE = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;
const r = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]): Rule => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const urls = (nonResourceURLs: string[], verbs: string[]): Rule => ({ nonResourceURLs, verbs });
const approver = (signer: string): BuiltinRole => ({ name: `system:certificates.k8s.io:${signer.replace("kubernetes.io/", "")}-approver`, rules: [r(["certificates.k8s.io"], ["signers"], ["approve"], [signer])] });

export const BUILTIN_CLUSTER_ROLES: readonly BuiltinRole[] = [
  { name: "cluster-admin", rules: [r(["*"], ["*"], ["*"]), urls(["*"], ["*"])] },
  { name: "admin", aggregateFrom: AGGREGATE("admin") },
  { name: "edit", labels: { [AGGREGATE("admin")]: "true" }, aggregateFrom: AGGREGATE("edit") },
  { name: "view", labels: { [AGGREGATE("edit")]: "true" }, aggregateFrom: AGGREGATE("view") },
  {
    name: "system:aggregate-to-admin",
    labels: { [AGGREGATE("admin")]: "true" },
    rules: [r(["authorization.k8s.io"], ["localsubjectaccessreviews"], ["create"]), r(["rbac.authorization.k8s.io"], ["rolebindings", "roles"], READ_WRITE)],
  },
  {
    name: "system:aggregate-to-edit",
    labels: { [AGGREGATE("edit")]: "true" },
    rules: [
      r([""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"], READ),
      r([""], ["serviceaccounts"], ["impersonate"]),
      r([""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"], WRITE),
      r([""], ["pods/eviction"], ["create"]),
      r([""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers", "replicationcontrollers/scale", "secrets", "serviceaccounts", "services", "services/proxy"], WRITE),
      r([""], ["serviceaccounts/token"], ["create"]),
      r(["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"], WRITE),
      r(["autoscaling"], ["horizontalpodautoscalers"], WRITE),
      r(["batch"], ["cronjobs", "jobs"], WRITE),
      r(["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale", "ingresses", "networkpolicies", "replicasets", "replicasets/scale", "replicationcontrollers/scale"], WRITE),
      r(["policy"], ["poddisruptionbudgets"], WRITE),
      r(["networking.k8s.io"], ["ingresses", "networkpolicies"], WRITE),
      r(["coordination.k8s.io"], ["leases"], READ_WRITE),
    ],
  },
  {
    name: "system:aggregate-to-view",
    labels: { [AGGREGATE("view")]: "true" },
    rules: [
      r([""], ["configmaps", "endpoints", "persistentvolumeclaims", "persistentvolumeclaims/status", "pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services", "services/status"], READ),
      r([""], ["bindings", "events", "limitranges", "namespaces/status", "pods/log", "pods/status", "replicationcontrollers/status", "resourcequotas", "resourcequotas/status"], READ),
      r([""], ["namespaces"], READ),
      r(["discovery.k8s.io"], ["endpointslices"], READ),
      r(["apps"], ["controllerrevisions", "daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "replicasets", "replicasets/scale", "replicasets/status", "statefulsets", "statefulsets/scale", "statefulsets/status"], READ),
      r(["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"], READ),
      r(["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"], READ),
      r(["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale", "deployments/status", "ingresses", "ingresses/status", "networkpolicies", "replicasets", "replicasets/scale", "replicasets/status", "replicationcontrollers/scale"], READ),
      r(["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"], READ),
      r(["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"], READ),
    ],
  },
  { name: "system:basic-user", rules: [r(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"], ["create"]), r(["authentication.k8s.io"], ["selfsubjectreviews"], ["create"])] },
  { name: "system:discovery", rules: [urls(["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"], ["get"])] },
  { name: "system:public-info-viewer", rules: [urls(["/healthz", "/livez", "/readyz", "/version", "/version/"], ["get"])] },
  { name: "system:service-account-issuer-discovery", rules: [urls(["/.well-known/openid-configuration", "/openid/v1/jwks"], ["get"])] },
  { name: "system:auth-delegator", rules: [r(["authentication.k8s.io"], ["tokenreviews"], ["create"]), r(["authorization.k8s.io"], ["subjectaccessreviews"], ["create"])] },
  { name: "system:monitoring", rules: [urls(["/healthz", "/healthz/*", "/livez", "/livez/*", "/metrics", "/metrics/slis", "/readyz", "/readyz/*"], ["get"])] },
  { name: "system:kubelet-api-admin", rules: [r([""], ["nodes"], READ), r([""], ["nodes"], ["proxy"]), r([""], ["nodes/log", "nodes/metrics", "nodes/proxy", "nodes/stats"], ["*"])] },
  { name: "system:node-bootstrapper", rules: [r(["certificates.k8s.io"], ["certificatesigningrequests"], ["create", "get", "list", "watch"])] },
  approver("kubernetes.io/kube-apiserver-client"),
  approver("kubernetes.io/kube-apiserver-client-kubelet"),
  approver("kubernetes.io/kubelet-serving"),
  approver("kubernetes.io/legacy-unknown"),
  {
    name: "system:persistent-volume-provisioner",
    rules: [
      r([""], ["persistentvolumes"], ["create", "delete", "get", "list", "watch"]),
      r([""], ["persistentvolumeclaims"], ["get", "list", "update", "watch"]),
      r(["storage.k8s.io"], ["storageclasses"], READ),
      r(["", "events.k8s.io"], ["events"], ["create", "patch", "update", "watch"]),
    ],
  },
];

/** The default ClusterRoleBindings (subjects are groups): who holds what before any plan runs. */
export const BUILTIN_CLUSTER_ROLE_BINDINGS: readonly { readonly role: string; readonly groups: readonly string[] }[] = [
  { role: "cluster-admin", groups: ["system:masters"] },
  { role: "system:basic-user", groups: ["system:authenticated"] },
  { role: "system:discovery", groups: ["system:authenticated"] },
  { role: "system:public-info-viewer", groups: ["system:authenticated", "system:unauthenticated"] },
  { role: "system:service-account-issuer-discovery", groups: ["system:serviceaccounts"] },
];
