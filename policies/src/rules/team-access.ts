// Teams share one cluster: none may hold cluster-admin or wildcard rights, and every team namespace comes
// with its fences (quota, limit range, default-deny network policy, Pod Security level) from the start.
// Team namespaces are the ones labelled `kfp-platform/team: <team>`.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { knobs, stringList } from "../lib/config";
import { labelsOf, NAMESPACE } from "../lib/k8s";
import { reporter, type Props } from "../lib/report";
import { ofType } from "../lib/stack";

const NAME = "team-access";
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const [ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"].map((kind) => `${RBAC}:${kind}`);
const FENCES = {
  "kubernetes:core/v1:ResourceQuota": "a ResourceQuota",
  "kubernetes:core/v1:LimitRange": "a LimitRange",
};
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const POD_SECURITY = "pod-security.kubernetes.io/enforce";

const config = knobs({
  teamLabel: { type: "string", minLength: 1, description: "Label that marks a namespace as a team's (its value names the team).", default: "kfp-platform/team" },
  teamGroupPattern: { type: "string", minLength: 1, description: "Regular expression for group names that belong to teams (groups bound in team namespaces count too).", default: "^(team|kfp-team)[-:]" },
  adminGroups: stringList("Groups that are platform administrators, never treated as team groups.", []),
  podSecurityLevels: stringList("Pod Security levels a team namespace may enforce.", ["baseline", "restricted"]),
  denyEgress: { type: "boolean", description: "Also require the default-deny policy to cover egress.", default: false },
});

const namespaceOf = (r: PolicyResource): unknown => r.props.metadata?.namespace;
const groupsOf = (binding: PolicyResource): string[] =>
  (binding.props.subjects ?? []).filter((s: Props) => s?.kind === "Group").map((s: Props) => String(s.name));

/** A NetworkPolicy that selects every pod and allows nothing in (and out, when asked). */
function deniesByDefault(policy: Props, egress: boolean): boolean {
  const selector = policy.spec?.podSelector ?? {};
  const selectsAll = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  const types: string[] = policy.spec?.policyTypes ?? ["Ingress"];
  const closed = (direction: "Ingress" | "Egress") => types.includes(direction) && (policy.spec?.[direction.toLowerCase()] ?? []).length === 0;
  return selectsAll && closed("Ingress") && (!egress || closed("Egress"));
}

const hasWildcard = (rules: Props[] | undefined) =>
  (rules ?? []).some((rule) => (rule.verbs ?? []).includes("*") || (rule.resources ?? []).includes("*"));

export const teamAccess: StackValidationPolicy = {
  name: NAME,
  description: "No team group bound to cluster-admin; no wildcard verbs or resources in team roles; team namespaces carry a ResourceQuota, a LimitRange, a default-deny NetworkPolicy and a Pod Security level.",
  severity: "high",
  configSchema: config.configSchema,
  validateStack: (args, report) => {
    const knob = config.read(args);
    const at = (r: PolicyResource) => reporter(NAME, r, report);
    const teamNamespaces = new Map(
      ofType(args.resources, NAMESPACE).filter((ns) => labelsOf(ns.props)[knob.teamLabel] !== undefined).map((ns) => [ns.props.metadata?.name, ns]),
    );
    const inTeamNamespace = (r: PolicyResource) => teamNamespaces.has(namespaceOf(r) as string);
    const bindings = ofType(args.resources, ROLE_BINDING, CLUSTER_ROLE_BINDING);
    const boundInTeams = new Set(bindings.filter(inTeamNamespace).flatMap(groupsOf));
    const pattern = new RegExp(knob.teamGroupPattern);
    const isTeamGroup = (group: string) => !knob.adminGroups.includes(group) && (pattern.test(group) || boundInTeams.has(group));

    const teamClusterRoles = new Set<string>();
    for (const binding of bindings) {
      const teams = groupsOf(binding).filter(isTeamGroup);
      const role = binding.props.roleRef ?? {};
      if (role.kind === "ClusterRole" && (teams.length > 0 || inTeamNamespace(binding))) teamClusterRoles.add(role.name);
      if (role.kind === "ClusterRole" && role.name === "cluster-admin" && teams.length > 0) {
        at(binding)(`binds cluster-admin to team group ${teams.join(", ")}`, "bind the team to a namespaced Role in its own namespace (or list the group in team-access.adminGroups if it really administers the platform)");
      }
    }
    const teamRoles = [
      ...ofType(args.resources, ROLE).filter(inTeamNamespace),
      ...ofType(args.resources, CLUSTER_ROLE).filter((r) => teamClusterRoles.has(r.props.metadata?.name)),
    ];
    for (const role of teamRoles.filter((r) => hasWildcard(r.props.rules))) {
      at(role)("a team role grants a wildcard (\"*\") verb or resource", "list the verbs and resources the team needs");
    }

    for (const [name, ns] of teamNamespaces) {
      const here = args.resources.filter((r) => namespaceOf(r) === name);
      const missing = Object.entries(FENCES).filter(([type]) => !here.some((r) => r.type === type)).map(([, what]) => what);
      if (!ofType(here, NETWORK_POLICY).some((p) => deniesByDefault(p.props, knob.denyEgress))) missing.push(`a default-deny NetworkPolicy (podSelector {}, no ${knob.denyEgress ? "ingress or egress" : "ingress"} rules)`);
      const level = labelsOf(ns.props)[POD_SECURITY];
      if (!knob.podSecurityLevels.includes(level as string)) missing.push(`a ${POD_SECURITY} label of ${knob.podSecurityLevels.join(" or ")} (found ${level ?? "none"})`);
      if (missing.length > 0) at(ns)(`team namespace lacks ${missing.join(", ")}`, "create the team namespace with all of its fences (quota, limit range, default-deny network policy, Pod Security label)");
    }
  },
};
