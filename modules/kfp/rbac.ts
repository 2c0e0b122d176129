// Builds upstream KFP's service accounts, roles and bindings from the facts in rbac-facts.ts.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "../k8s/metadata";
import { CACHE_DEPLOYER_SA, ROLES, SERVICE_ACCOUNTS } from "./rbac-facts";

export interface RbacArgs {
  readonly namespace: string;
  /** Extra annotations per service account (IRSA role ARNs, Workload Identity bindings). */
  readonly serviceAccountAnnotations: Record<string, Record<string, pulumi.Input<string>>>;
  readonly opts: pulumi.CustomResourceOptions;
}

/** The namespaced service accounts, roles and bindings; returns the service accounts by name. */
export function createNamespacedRbac(prefix: string, args: RbacArgs): Record<string, k8s.core.v1.ServiceAccount> {
  const { namespace, opts } = args;
  const accounts: Record<string, k8s.core.v1.ServiceAccount> = {};
  for (const [name, labels] of Object.entries(SERVICE_ACCOUNTS)) {
    const annotations = args.serviceAccountAnnotations[name];
    accounts[name] = new k8s.core.v1.ServiceAccount(`${prefix}-sa-${name}`, { metadata: objectMeta(name, namespace, labels, annotations) }, opts);
  }
  for (const [roleName, fact] of Object.entries(ROLES)) {
    const role = new k8s.rbac.v1.Role(`${prefix}-role-${roleName}`, { metadata: objectMeta(roleName, namespace, fact.labels), rules: fact.rules }, opts);
    new k8s.rbac.v1.RoleBinding(
      `${prefix}-rolebinding-${fact.binding.name}`,
      {
        metadata: objectMeta(fact.binding.name, namespace, fact.binding.labels),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
        subjects: [{ kind: "ServiceAccount", name: fact.binding.serviceAccount, namespace }],
      },
      opts,
    );
  }
  return accounts;
}

/**
 * The cache deployer's ServiceAccount alone (upstream's cluster-scoped set without its ClusterRole and
 * binding, which rbac-facts.ts LEFT_OUT_RBAC explains), under its earlier resource name.
 */
export function createCacheDeployerServiceAccount(prefix: string, namespace: string, opts: pulumi.CustomResourceOptions): void {
  new k8s.core.v1.ServiceAccount(`${prefix}-sa-${CACHE_DEPLOYER_SA}`, { metadata: objectMeta(CACHE_DEPLOYER_SA, namespace) }, opts);
}
