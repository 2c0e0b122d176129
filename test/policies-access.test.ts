// team-access on hand-built tenancy objects: team groups, team roles and a team namespace's fences.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { teamAccess } from "../policies/src/rules/team-access";
import { stackViolations, type Props, type StackResourceSpec } from "./policies-helpers";

const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const ns = "team-a";
const k8s = (kind: string, name: string, props: Props, type = `kubernetes:core/v1:${kind}`): StackResourceSpec => ({ type, name, props: { kind, ...props } });
const group = (name: string) => ({ kind: "Group", name, apiGroup: "rbac.authorization.k8s.io" });

/** A team namespace with every fence, and the team's own role and binding. */
function fencedTeam(labels: Props = { "kfp-platform/team": "a", "pod-security.kubernetes.io/enforce": "restricted" }): StackResourceSpec[] {
  return [
    k8s("Namespace", "ns", { metadata: { name: ns, labels } }),
    k8s("ResourceQuota", "quota", { metadata: { name: "quota", namespace: ns }, spec: { hard: { "requests.cpu": "16" } } }),
    k8s("LimitRange", "limits", { metadata: { name: "limits", namespace: ns }, spec: { limits: [{ type: "Container", default: { memory: "1Gi" } }] } }),
    k8s("NetworkPolicy", "deny", { metadata: { name: "default-deny", namespace: ns }, spec: { podSelector: {}, policyTypes: ["Ingress"] } }, "kubernetes:networking.k8s.io/v1:NetworkPolicy"),
    k8s("Role", "role", { metadata: { name: "pipeline-user", namespace: ns }, rules: [{ apiGroups: ["kubeflow.org"], resources: ["pipelines"], verbs: ["get", "list", "create"] }] }, `${RBAC}:Role`),
    k8s("RoleBinding", "binding", { metadata: { name: "team-a", namespace: ns }, roleRef: { kind: "Role", name: "pipeline-user" }, subjects: [group("oidc:ml-team-a")] }, `${RBAC}:RoleBinding`),
  ];
}

describe("team-access", () => {
  it("passes a fenced team namespace with a narrow role, and platform admins on cluster-admin", async () => {
    const admin = k8s("ClusterRoleBinding", "admins", { metadata: { name: "platform-admins" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [group("platform-admins")] }, `${RBAC}:ClusterRoleBinding`);
    assert.deepEqual(await stackViolations(teamAccess, [...fencedTeam(), admin]), []);
  });

  it("fails cluster-admin bound to a team group, whether named like one or bound in a team namespace", async () => {
    for (const name of ["team-b", "oidc:ml-team-a"]) {
      const binding = k8s("ClusterRoleBinding", "oops", { metadata: { name: "oops" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [group(name)] }, `${RBAC}:ClusterRoleBinding`);
      const found = await stackViolations(teamAccess, [...fencedTeam(), binding]);
      assert.equal(found.length, 1, name);
      assert.equal(found[0].name, "oops");
      assert.match(found[0].message, new RegExp(`^\\[team-access\\] ClusterRoleBinding oops: binds cluster-admin to team group ${name}\\. Fix: bind the team to a namespaced Role`));
    }
    const admin = k8s("ClusterRoleBinding", "ok", { metadata: { name: "ok" }, roleRef: { kind: "ClusterRole", name: "cluster-admin" }, subjects: [group("team-platform")] }, `${RBAC}:ClusterRoleBinding`);
    assert.deepEqual(await stackViolations(teamAccess, [...fencedTeam(), admin], { adminGroups: ["team-platform"] }), []);
  });

  it("fails wildcard verbs or resources in a team namespace's Role and in ClusterRoles bound to teams", async () => {
    const team = fencedTeam();
    team[4] = k8s("Role", "role", { metadata: { name: "pipeline-user", namespace: ns }, rules: [{ apiGroups: [""], resources: ["*"], verbs: ["get"] }] }, `${RBAC}:Role`);
    const cluster = k8s("ClusterRole", "wide", { metadata: { name: "wide" }, rules: [{ apiGroups: ["*"], resources: ["pods"], verbs: ["*"] }] }, `${RBAC}:ClusterRole`);
    const bindWide = k8s("RoleBinding", "wide-binding", { metadata: { name: "wide", namespace: ns }, roleRef: { kind: "ClusterRole", name: "wide" }, subjects: [group("oidc:ml-team-a")] }, `${RBAC}:RoleBinding`);
    const found = await stackViolations(teamAccess, [...team, cluster, bindWide]);
    assert.deepEqual(found.map((v) => v.name), ["role", "wide"]);
    assert.match(found[0].message, /a team role grants a wildcard \("\*"\) verb or resource/);
    const unbound = k8s("ClusterRole", "aggregate", { metadata: { name: "aggregate" }, rules: [{ resources: ["*"], verbs: ["*"] }] }, `${RBAC}:ClusterRole`);
    assert.deepEqual(await stackViolations(teamAccess, [...fencedTeam(), unbound]), [], "roles no team holds are not team roles");
  });

  it("fails a team namespace missing any fence, naming each", async () => {
    const [namespace] = fencedTeam({ "kfp-platform/team": "a", "pod-security.kubernetes.io/enforce": "privileged" });
    const found = await stackViolations(teamAccess, [namespace]);
    assert.equal(found.length, 1);
    assert.equal(found[0].name, "ns");
    for (const fence of ["a ResourceQuota", "a LimitRange", "a default-deny NetworkPolicy", "pod-security.kubernetes.io/enforce label of baseline or restricted (found privileged)"]) {
      assert.ok(found[0].message.includes(fence), fence);
    }
  });

  it("does not take a NetworkPolicy that allows ingress, or selects some pods, as default-deny", async () => {
    for (const spec of [{ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] }, { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress"] }]) {
      const team = fencedTeam();
      team[3] = k8s("NetworkPolicy", "deny", { metadata: { name: "np", namespace: ns }, spec }, "kubernetes:networking.k8s.io/v1:NetworkPolicy");
      assert.match((await stackViolations(teamAccess, team))[0].message, /lacks a default-deny NetworkPolicy/);
    }
    assert.match((await stackViolations(teamAccess, fencedTeam(), { denyEgress: true }))[0].message, /no ingress or egress rules/);
  });

  it("leaves namespaces without the team label alone", async () => {
    assert.deepEqual(await stackViolations(teamAccess, [k8s("Namespace", "kubeflow", { metadata: { name: "kubeflow", labels: {} } })]), []);
  });
});
