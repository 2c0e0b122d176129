// A plan's RBAC as the API server would hold it: roles (aggregation resolved over the plan's ClusterRoles
// and the built-in ones), bindings as grants scoped to a namespace or the cluster, service accounts (each
// namespace's implicit `default` too), the accounts the plan's pods run as, and the KFP and Argo
// controllers that create pods for whoever writes their objects.
import { kfpStepPods } from "../step-pods";
import { BUILTIN_CLUSTER_ROLE_BINDINGS, BUILTIN_CLUSTER_ROLES } from "./builtin";
import { allows, CLUSTER_SCOPED, type Request, type Rule } from "./rules";

type Obj = Record<string, any>;

/** A plan object and the resource that creates it (engine/manifests RenderedObject). */
export interface PlanObject {
  readonly urn?: string;
  readonly object: Obj;
}

export interface Principal {
  readonly kind: "User" | "Group" | "ServiceAccount";
  readonly name: string;
  readonly namespace?: string;
}

export const principalKey = (p: Principal): string => (p.kind === "ServiceAccount" ? `ServiceAccount ${p.namespace}/${p.name}` : `${p.kind} ${p.name}`);

/** One rule held by a principal, where it applies (a namespace, or null: cluster-wide), and why. */
export interface Grant {
  readonly rule: Rule;
  readonly scope: string | null;
  /** `ClusterRoleBinding x -> ClusterRole y` or `RoleBinding ns/x -> Role ns/y`. */
  readonly via: string;
  /** The resource of the binding (absent for the server's own bindings). */
  readonly urn?: string;
}

/** A pod the plan runs (a workload's template or a KFP step pod) and whether its account's token is mounted. */
export interface RunningPod {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly tokenMounted: boolean;
  readonly owner: string;
}

/** A controller that creates pods from objects other principals write. */
export interface Deputy {
  readonly account: Principal;
  readonly owner: string;
}

export interface RbacModel {
  readonly namespaceLabels: ReadonlyMap<string, Record<string, string>>;
  readonly serviceAccounts: readonly Principal[];
  readonly running: readonly RunningPod[];
  /** The plan's Secrets of type kubernetes.io/service-account-token: whoever reads one holds its account. */
  readonly tokenSecrets: readonly { readonly namespace: string; readonly account: string }[];
  /** Every subject a plan binding names, and every service account of the plan. */
  readonly subjects: readonly Principal[];
  /** The accounts KFP step pods run as (multi-user: each team namespace's; single-user: the platform's). */
  readonly stepIdentities: readonly Principal[];
  readonly deputies: { readonly argo?: Deputy; readonly scheduledWorkflows?: Deputy; readonly viewers?: Deputy; readonly kfpApi?: Deputy & { readonly multiUser: boolean } };
  /** The only account Argo may start pods as in a namespace, where an admission policy of the plan says so. */
  argoIdentityIn(namespace: string): string | undefined;
  /** The rules of `ClusterRole x` or `Role ns/x` after aggregation. */
  readonly roleRules: ReadonlyMap<string, readonly Rule[]>;
  grantsOf(p: Principal): readonly Grant[];
  /** The namespaces the plan knows (created or used). */
  readonly namespaces: readonly string[];
}

/** Kubernetes label selector (matchLabels, matchExpressions In/NotIn/Exists/DoesNotExist). */
export function selects(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  const exact = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  return (
    exact &&
    (selector.matchExpressions ?? []).every((e: Obj) => {
      const value = labels[e.key];
      if (e.operator === "In") return value !== undefined && (e.values ?? []).includes(value);
      if (e.operator === "NotIn") return value === undefined || !(e.values ?? []).includes(value);
      if (e.operator === "Exists") return value !== undefined;
      if (e.operator === "DoesNotExist") return value === undefined;
      return false;
    })
  );
}

/** ClusterRole rules after aggregation (kube-controller-manager's clusterrole-aggregation-controller: the union of every selected role's rules, repeated until nothing changes). */
function clusterRoleRules(planRoles: readonly Obj[]): Map<string, Rule[]> {
  const roles = new Map<string, { labels: Record<string, string>; selectors?: Obj[]; rules: Rule[] }>();
  for (const b of BUILTIN_CLUSTER_ROLES) {
    roles.set(b.name, { labels: b.labels ?? {}, selectors: b.aggregateFrom ? [{ matchLabels: { [b.aggregateFrom]: "true" } }] : undefined, rules: [...(b.rules ?? [])] });
  }
  for (const role of planRoles) {
    roles.set(role.metadata.name, { labels: role.metadata.labels ?? {}, selectors: role.aggregationRule?.clusterRoleSelectors, rules: [...(role.rules ?? [])] });
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, role] of roles) {
      if (!role.selectors) continue;
      const seen = new Set(role.rules.map((x) => JSON.stringify(x)));
      for (const [other, candidate] of roles) {
        if (other === name || !role.selectors.some((s) => selects(s, candidate.labels))) continue;
        for (const rule of candidate.rules) if (!seen.has(JSON.stringify(rule))) (seen.add(JSON.stringify(rule)), role.rules.push(rule), (changed = true));
      }
    }
  }
  return new Map([...roles].map(([name, role]) => [`ClusterRole ${name}`, role.rules]));
}

const POD_TEMPLATE: Record<string, (o: Obj) => Obj | undefined> = {
  Pod: (o) => o.spec,
  Deployment: (o) => o.spec?.template?.spec,
  StatefulSet: (o) => o.spec?.template?.spec,
  DaemonSet: (o) => o.spec?.template?.spec,
  ReplicaSet: (o) => o.spec?.template?.spec,
  ReplicationController: (o) => o.spec?.template?.spec,
  Job: (o) => o.spec?.template?.spec,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.spec,
};

/**
 * The step-identity admission policy's reading: a ValidatingAdmissionPolicy on pod CREATE whose match
 * condition is `request.userInfo.username == 'system:serviceaccount:<ns>:<argo>'` and whose validation is
 * `object.spec.serviceAccountName == '<account>'`, bound with Deny. Returns who it holds and to what, where.
 */
function argoIdentityPolicies(objects: readonly Obj[]): { user: string; account: string; namespaceSelector?: Obj }[] {
  const bound = new Set(objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding" && (o.spec?.validationActions ?? []).includes("Deny")).map((o) => o.spec?.policyName));
  const out: { user: string; account: string; namespaceSelector?: Obj }[] = [];
  for (const policy of objects.filter((o) => o.kind === "ValidatingAdmissionPolicy" && bound.has(o.metadata?.name))) {
    const spec = policy.spec ?? {};
    const onPodCreate = (spec.matchConstraints?.resourceRules ?? []).some((r: Obj) => (r.resources ?? []).includes("pods") && (r.operations ?? []).some((op: string) => op === "CREATE" || op === "*"));
    const user = (spec.matchConditions ?? []).map((c: Obj) => /^request\.userInfo\.username == '([^']+)'$/.exec(c.expression ?? "")?.[1]).find(Boolean);
    const account = (spec.validations ?? []).map((v: Obj) => /^object\.spec\.serviceAccountName == '([^']+)'$/.exec(v.expression ?? "")?.[1]).find(Boolean);
    if (onPodCreate && user && account && (spec.matchConditions ?? []).length === 1 && spec.failurePolicy !== "Ignore") out.push({ user, account, namespaceSelector: spec.matchConstraints?.namespaceSelector });
  }
  return out;
}

const GROUPS_OF = (p: Principal): string[] =>
  p.kind === "ServiceAccount" ? ["system:serviceaccounts", `system:serviceaccounts:${p.namespace}`, "system:authenticated"] : p.kind === "User" ? ["system:authenticated"] : [p.name, "system:authenticated"];

export function rbacModel(planObjects: readonly PlanObject[]): RbacModel {
  const objects = planObjects.map((p) => p.object);
  const urnOf = new Map(planObjects.map((p) => [p.object, p.urn]));
  const of = (kind: string) => objects.filter((o) => o.kind === kind);

  const roleRules = clusterRoleRules(of("ClusterRole"));
  for (const role of of("Role")) roleRules.set(`Role ${role.metadata.namespace}/${role.metadata.name}`, [...(role.rules ?? [])]);

  // Grants by subject key (User x, Group x, ServiceAccount ns/x).
  const bySubject = new Map<string, Grant[]>();
  const add = (subject: string, grants: Grant[]) => bySubject.set(subject, [...(bySubject.get(subject) ?? []), ...grants]);
  const subjects = new Map<string, Principal>();
  const bindingGrants = (roleKey: string, scope: string | null, via: string, urn?: string): Grant[] => (roleRules.get(roleKey) ?? []).map((rule) => ({ rule, scope, via, urn }));
  for (const b of BUILTIN_CLUSTER_ROLE_BINDINGS) for (const g of b.groups) add(`Group ${g}`, bindingGrants(`ClusterRole ${b.role}`, null, `built-in ClusterRoleBinding ${b.role} -> ClusterRole ${b.role}`));
  for (const binding of [...of("RoleBinding"), ...of("ClusterRoleBinding")]) {
    const ns: string | undefined = binding.kind === "RoleBinding" ? binding.metadata.namespace : undefined;
    const ref = binding.roleRef ?? {};
    const roleKey = ref.kind === "Role" ? `Role ${ns}/${ref.name}` : `ClusterRole ${ref.name}`;
    const via = `${binding.kind} ${ns ? `${ns}/` : ""}${binding.metadata.name} -> ${roleKey}`;
    for (const s of binding.subjects ?? []) {
      const principal: Principal = s.kind === "ServiceAccount" ? { kind: "ServiceAccount", name: s.name, namespace: s.namespace ?? ns } : { kind: s.kind, name: s.name };
      subjects.set(principalKey(principal), principal);
      add(principalKey(principal), bindingGrants(roleKey, ns ?? null, via, urnOf.get(binding)));
    }
  }

  const namespaceLabels = new Map<string, Record<string, string>>(of("Namespace").map((n) => [n.metadata.name, n.metadata.labels ?? {}]));
  const namespaces = [...new Set([...namespaceLabels.keys(), ...objects.map((o) => o.metadata?.namespace).filter((n): n is string => typeof n === "string")])].sort();
  const accountObjects = new Map<string, Obj>(of("ServiceAccount").map((sa) => [`${sa.metadata.namespace}/${sa.metadata.name}`, sa]));
  // Every namespace gets a `default` account from the service-account controller.
  const serviceAccounts: Principal[] = [...new Set([...accountObjects.keys(), ...namespaces.map((ns) => `${ns}/default`)])].sort().map((k) => ({ kind: "ServiceAccount", namespace: k.split("/")[0], name: k.split("/")[1] }));
  for (const sa of serviceAccounts) subjects.set(principalKey(sa), sa);

  // automountServiceAccountToken: the pod's setting wins over its account's; both unset mounts the token.
  const tokenMounted = (ns: string, account: string, spec: Obj) => spec.automountServiceAccountToken ?? accountObjects.get(`${ns}/${account}`)?.automountServiceAccountToken ?? true;
  const running: RunningPod[] = [];
  for (const o of objects) {
    const spec = POD_TEMPLATE[o.kind]?.(o);
    if (!spec) continue;
    const ns = o.metadata.namespace ?? "default";
    const account = spec.serviceAccountName ?? spec.serviceAccount ?? "default";
    running.push({ namespace: ns, serviceAccount: account, tokenMounted: tokenMounted(ns, account, spec), owner: `${o.kind} ${ns}/${o.metadata.name}` });
  }
  const steps = kfpStepPods(planObjects.map((p) => ({ urn: p.urn ?? "", object: p.object as any })));
  for (const step of steps) running.push({ namespace: step.namespace, serviceAccount: step.spec.serviceAccountName, tokenMounted: tokenMounted(step.namespace, step.spec.serviceAccountName, step.spec), owner: `KFP step pod (${step.role})` });
  const stepIdentities = [...new Map(steps.map((s) => [`${s.namespace}/${s.spec.serviceAccountName}`, { kind: "ServiceAccount", namespace: s.namespace, name: s.spec.serviceAccountName } as Principal])).values()];

  const deployment = (name: string) => of("Deployment").find((d) => d.metadata.name === name);
  const deputy = (name: string): Deputy | undefined => {
    const d = deployment(name);
    if (!d) return undefined;
    const spec = d.spec?.template?.spec ?? {};
    return { account: { kind: "ServiceAccount", namespace: d.metadata.namespace, name: spec.serviceAccountName ?? "default" }, owner: `Deployment ${d.metadata.namespace}/${name}` };
  };
  const api = deployment("ml-pipeline");
  const apiEnv = Object.fromEntries(((api?.spec?.template?.spec?.containers ?? [])[0]?.env ?? []).map((e: Obj) => [e.name, e.value]));
  const kfpApi = deputy("ml-pipeline");
  const argo = deputy("workflow-controller");
  const identityPolicies = argoIdentityPolicies(objects);

  return {
    namespaceLabels,
    serviceAccounts,
    running,
    tokenSecrets: of("Secret")
      .filter((s) => s.type === "kubernetes.io/service-account-token" && s.metadata.annotations?.["kubernetes.io/service-account.name"])
      .map((s) => ({ namespace: s.metadata.namespace, account: s.metadata.annotations["kubernetes.io/service-account.name"] })),
    subjects: [...subjects.values()],
    stepIdentities,
    deputies: {
      argo,
      scheduledWorkflows: deputy("ml-pipeline-scheduledworkflow"),
      viewers: deputy("ml-pipeline-viewer-crd"),
      kfpApi: kfpApi && { ...kfpApi, multiUser: apiEnv.MULTIUSER === "true" },
    },
    argoIdentityIn(namespace) {
      if (!argo) return undefined;
      const user = `system:serviceaccount:${argo.account.namespace}:${argo.account.name}`;
      return identityPolicies.find((p) => p.user === user && selects(p.namespaceSelector, namespaceLabels.get(namespace) ?? {}))?.account;
    },
    roleRules,
    grantsOf: (p) => [principalKey(p), ...GROUPS_OF(p).map((g) => `Group ${g}`)].filter((k, i, all) => all.indexOf(k) === i).flatMap((k) => bySubject.get(k) ?? []),
    namespaces,
  };
}

/** The grant that lets the holder make `request` in `namespace` (null: a cluster-scoped request or one in every namespace). */
export function grantFor(grants: readonly Grant[], request: Request, namespace: string | null): Grant | undefined {
  const clusterScoped = CLUSTER_SCOPED.has(request.resource);
  return grants.find((g) => (g.scope === null || (!clusterScoped && namespace !== null && g.scope === namespace)) && allows(g.rule, request));
}
