// The access report of a plan: for every subject its rights per namespace and every escalation path, and
// the paths the kit forbids. A team subject (a user, group or service account bound or living in a team
// namespace) and a step identity (the account KFP's step pods run as) must reach neither rights equivalent
// to cluster-admin nor any right in another team's namespace.
//
// Cluster-admin equivalent, each because it reaches every namespace's secrets or any identity (sources in
// escalation.ts next to each check): `*` verbs on `*` resources; get or list on Secrets cluster-wide; pod
// creation (directly, through any pod controller, Argo, exec or attach, TokenRequest or service account
// impersonation) in every namespace, kube-system's controller accounts included (bootstrappolicy
// controller_policy.go: clusterrole-aggregation-controller may escalate ClusterRoles); bind on
// cluster-admin with ClusterRoleBinding writes; escalate on
// ClusterRoles; impersonating users or groups (system:masters); approving CSRs for the
// kubernetes.io/kube-apiserver-client signer (a client certificate for O=system:masters); writing admission
// webhooks or admission policies; nodes/proxy (the kubelet's exec); creating PersistentVolumes (hostPath).
import { escalationPaths, targetLabel, type Path } from "./escalation";
import { principalKey, rbacModel, type Grant, type PlanObject, type Principal, type RbacModel } from "./model";
import { describeRule, namesNamespacedResource } from "./rules";

export { rbacModel, type PlanObject, type Principal } from "./model";
export { escalationPaths, describeStep, type Path } from "./escalation";

export type SubjectRole = "team subject" | "step identity" | "component";

export interface Finding {
  readonly path: Path;
  /** Why it is forbidden: `cluster-admin equivalent (...)` or `into team namespace nlp`. */
  readonly reason: string;
  /** The grant behind the decisive step (its binding's resource, when the plan has one). */
  readonly grant?: Grant;
}

export interface SubjectAccess {
  readonly principal: Principal;
  readonly roles: readonly SubjectRole[];
  /** The team namespaces it belongs to. */
  readonly teams: readonly string[];
  /** Rules per scope (`cluster` or a namespace), the server's default grants to every caller left out. */
  readonly rights: ReadonlyMap<string, readonly string[]>;
  readonly paths: readonly Path[];
  readonly forbidden: readonly Finding[];
}

export interface AccessReport {
  readonly teamNamespaces: readonly string[];
  readonly subjects: readonly SubjectAccess[];
  readonly forbidden: readonly Finding[];
}

export const TEAM_LABEL_DEFAULT = "kfp-platform/team";

/** Grants whose rules reach into `namespace` (namespaced resources there, or everywhere). */
function reachesInto(grants: readonly Grant[], namespace: string): Grant | undefined {
  return grants.find((g) => (g.scope === namespace || g.scope === null) && namesNamespacedResource(g.rule));
}

function rightsOf(grants: readonly Grant[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of grants.filter((g) => !g.via.startsWith("built-in ClusterRoleBinding system:"))) {
    const scope = g.scope ?? "cluster";
    const line = describeRule(g.rule);
    if (!(out.get(scope) ?? []).includes(line)) out.set(scope, [...(out.get(scope) ?? []), line]);
  }
  return new Map([...out].sort(([a], [b]) => (a === "cluster" ? -1 : b === "cluster" ? 1 : a.localeCompare(b))));
}

export function accessReport(objects: readonly PlanObject[], options: { teamLabel?: string } = {}): AccessReport {
  const model: RbacModel = rbacModel(objects);
  const teamLabel = options.teamLabel ?? TEAM_LABEL_DEFAULT;
  const teamNamespaces = [...model.namespaceLabels].filter(([, labels]) => labels[teamLabel] !== undefined).map(([ns]) => ns).sort();
  const inTeams = (ns: string | undefined) => ns !== undefined && teamNamespaces.includes(ns);

  // Team membership: a user or group bound in a team namespace, or a service account living in one.
  const teamsOf = new Map<string, Set<string>>();
  const join = (p: Principal, team: string) => teamsOf.set(principalKey(p), new Set([...(teamsOf.get(principalKey(p)) ?? []), team]));
  for (const { object } of objects) {
    if (object.kind !== "RoleBinding" || !inTeams(object.metadata?.namespace)) continue;
    // A service account belongs to its own namespace's team only: bound in another team's, it is a door.
    for (const s of object.subjects ?? []) if (s.kind !== "ServiceAccount") join({ kind: s.kind, name: s.name }, object.metadata.namespace);
  }
  for (const sa of model.serviceAccounts) if (inTeams(sa.namespace)) join(sa, sa.namespace!);
  const steps = new Set(model.stepIdentities.map(principalKey));

  const subjects: SubjectAccess[] = [];
  for (const principal of [...model.subjects].sort((a, b) => principalKey(a).localeCompare(principalKey(b)))) {
    const key = principalKey(principal);
    const teams = [...(teamsOf.get(key) ?? [])].sort();
    const roles: SubjectRole[] = [...(teams.length > 0 ? ["team subject" as const] : []), ...(steps.has(key) ? ["step identity" as const] : []), ...(teams.length === 0 && !steps.has(key) && principal.kind === "ServiceAccount" ? ["component" as const] : [])];
    const grants = model.grantsOf(principal);
    const paths = escalationPaths(model, principal);
    const forbidden: Finding[] = [];
    if (roles.includes("team subject") || roles.includes("step identity")) {
      const others = teamNamespaces.filter((ns) => !teams.includes(ns));
      for (const ns of others) {
        const direct = reachesInto(grants, ns);
        if (direct) forbidden.push({ path: { start: principal, steps: [] }, reason: `holds rights in team namespace ${ns} (${describeRule(direct.rule)})`, grant: direct });
      }
      for (const path of paths) {
        const last = path.steps[path.steps.length - 1];
        if (last.to.kind === "cluster-admin") {
          forbidden.push({ path, reason: targetLabel(last.to), grant: last.grant });
          continue;
        }
        const reached = last.to.kind === "principal" ? model.grantsOf(last.to.principal) : last.to.grants;
        for (const ns of others) {
          const into = reachesInto(reached, ns);
          if (into) forbidden.push({ path, reason: `into team namespace ${ns} (${targetLabel(last.to)}: ${describeRule(into.rule)})`, grant: last.grant });
        }
      }
    }
    subjects.push({ principal, roles, teams, rights: rightsOf(grants), paths, forbidden });
  }
  return { teamNamespaces, subjects, forbidden: subjects.flatMap((s) => s.forbidden) };
}
