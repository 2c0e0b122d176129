// The multi-user install's cluster-wide RBAC, from multi-user/rbac-facts.ts: each component's ClusterRole
// and binding (to its ServiceAccount in the platform namespace), Argo's cluster role, and the
// kubeflow-pipelines-edit/-view roles team members are bound to.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "../../k8s/metadata";
import { COMPONENT_CLUSTER_ROLES, USER_ROLES } from "./rbac-facts";

const RBAC = "rbac.authorization.k8s.io";

export function createMultiUserRbac(prefix: string, namespace: string, opts: pulumi.CustomResourceOptions): k8s.rbac.v1.ClusterRole[] {
  const roles: k8s.rbac.v1.ClusterRole[] = [];
  for (const [name, fact] of Object.entries(COMPONENT_CLUSTER_ROLES)) {
    const role = new k8s.rbac.v1.ClusterRole(`${prefix}-clusterrole-${name}`, { metadata: objectMeta(name, undefined, fact.labels ?? {}), rules: fact.rules }, opts);
    roles.push(role);
    if (!fact.binding) continue;
    new k8s.rbac.v1.ClusterRoleBinding(
      `${prefix}-clusterrolebinding-${fact.binding.name}`,
      {
        metadata: objectMeta(fact.binding.name, undefined),
        roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: fact.binding.serviceAccount, namespace }],
      },
      opts,
    );
  }
  // No `rules`: "If AggregationRule is set, then the Rules are controller managed" (k8s.io/api rbac/v1
  // ClusterRole.AggregationRule); kube-controller-manager's clusterrole-aggregation-controller applies
  // them as its own field manager, so rules sent here, even [], conflict on the next server-side apply.
  for (const [name, fact] of Object.entries(USER_ROLES.aggregated)) {
    roles.push(
      new k8s.rbac.v1.ClusterRole(
        `${prefix}-clusterrole-${name}`,
        { metadata: objectMeta(name, undefined, { ...fact.labels }), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [fact.selects]: "true" } }] } },
        opts,
      ),
    );
  }
  for (const [name, fact] of Object.entries(USER_ROLES.rules)) {
    roles.push(new k8s.rbac.v1.ClusterRole(`${prefix}-clusterrole-${name}`, { metadata: objectMeta(name, undefined, { ...fact.labels }), rules: fact.rules.map((r) => ({ ...r })) }, opts));
  }
  return roles;
}
