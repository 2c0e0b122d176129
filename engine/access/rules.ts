// RBAC policy rules: what a rule allows, and whether one set of rules covers another. The semantics are
// Kubernetes': pkg/apis/rbac/v1/evaluation_helpers.go (VerbMatches, APIGroupMatches, ResourceMatches with
// `*/subresource`, ResourceNameMatches: an empty list names every object) and the escalation check's
// coverage (k8s.io/component-helpers/auth/rbac/validation/policy_comparator.go Covers: a rule is broken
// into single verb/group/resource/name tuples, and a `*` in the asked rule is covered only by a `*`).

export interface Rule {
  readonly apiGroups?: readonly string[];
  readonly resources?: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly nonResourceURLs?: readonly string[];
}

/** One API request: verb on group/resource (`pods/exec` for a subresource), optionally one object by name. */
export interface Request {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly name?: string;
}

const has = (list: readonly string[] | undefined, value: string) => (list ?? []).includes("*") || (list ?? []).includes(value);

function resourceMatches(rule: Rule, resource: string): boolean {
  const slash = resource.indexOf("/");
  const sub = slash >= 0 ? resource.slice(slash) : undefined;
  return (rule.resources ?? []).some((r) => r === "*" || r === resource || (sub !== undefined && r === `*${sub}`));
}

/** Whether the rule allows the request (a request without a name matches only rules without resourceNames). */
export function allows(rule: Rule, request: Request): boolean {
  if ((rule.nonResourceURLs ?? []).length > 0 && (rule.resources ?? []).length === 0) return false;
  if (!has(rule.verbs, request.verb) || !has(rule.apiGroups, request.group) || !resourceMatches(rule, request.resource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (request.name !== undefined && names.includes(request.name));
}

/** The rule's single (verb, group, resource, name) tuples; `*` stays literal. */
function breakdown(rule: Rule): Request[] {
  const out: Request[] = [];
  const names = (rule.resourceNames ?? []).length > 0 ? rule.resourceNames! : [undefined];
  for (const verb of rule.verbs) for (const group of rule.apiGroups ?? []) for (const resource of rule.resources ?? []) for (const name of names) out.push({ verb, group, resource, name });
  return out;
}

/** Whether the owner's rules cover every tuple of `rule` (non-resource URLs are ignored: no path uses them). */
export function covers(owner: readonly Rule[], rule: Rule): boolean {
  return breakdown(rule).every((t) =>
    owner.some(
      (o) =>
        has(o.verbs, t.verb) &&
        has(o.apiGroups, t.group) &&
        ((o.resources ?? []).includes("*") || (o.resources ?? []).includes(t.resource) || (t.resource.includes("/") && (o.resources ?? []).includes(`*${t.resource.slice(t.resource.indexOf("/"))}`))) &&
        ((o.resourceNames ?? []).length === 0 || (t.name !== undefined && o.resourceNames!.includes(t.name))),
    ),
  );
}

/**
 * Cluster-scoped resources a path can use (kubectl api-resources --namespaced=false, Kubernetes 1.35): a
 * RoleBinding never grants them, whatever its ClusterRole says. Every other resource is taken as namespaced.
 */
export const CLUSTER_SCOPED = new Set([
  "nodes", "nodes/proxy", "persistentvolumes", "namespaces", "certificatesigningrequests", "certificatesigningrequests/approval",
  "signers", "clusterroles", "clusterrolebindings", "mutatingwebhookconfigurations", "validatingwebhookconfigurations",
  "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings",
  "customresourcedefinitions", "users", "groups", "userextras", "uids", "storageclasses", "priorityclasses", "tokenreviews",
  "subjectaccessreviews", "selfsubjectaccessreviews", "selfsubjectrulesreviews", "selfsubjectreviews", "clusterworkflowtemplates",
]);

/** Whether a rule names any namespaced resource (so a grant of it reaches into a namespace). */
export function namesNamespacedResource(rule: Rule): boolean {
  return (rule.resources ?? []).some((r) => r === "*" || !CLUSTER_SCOPED.has(r));
}

/** `get,list on pods, pods/log` with the group when not core, and names when limited. */
export function describeRule(rule: Rule): string {
  if ((rule.resources ?? []).length === 0) return `${rule.verbs.join(",")} on URLs ${(rule.nonResourceURLs ?? []).join(", ")}`;
  const groups = (rule.apiGroups ?? []).map((g) => (g === "" ? "core" : g)).join("|");
  const names = (rule.resourceNames ?? []).length > 0 ? ` named ${rule.resourceNames!.join(", ")}` : "";
  return `${rule.verbs.join(",")} on ${groups === "core" ? "" : `${groups}/`}${(rule.resources ?? []).join(", ")}${names}`;
}
