// The access report (engine/access/): RBAC evaluated over hand-made objects (aggregation, each escalation
// kind, chains), every shipped stack and multi-user copies of local and aws-prod free of forbidden paths,
// and the cache deployer's upstream ClusterRoleBinding put back: refused with its path.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { accessReport, escalationPaths, rbacModel, type Path, type PlanObject } from "../engine/access";
import { accessDocs, withAccessDocs } from "../engine/access/docs";
import { targetLabel } from "../engine/access/escalation";
import { planStack, type PlanResult } from "../engine/plan";
import { main } from "../modules/main";
import { teamEscalation } from "../policies/src/rules/team-escalation";
import { multiUserLocal, multiUserStackYaml, REPO_ROOT, runCli, tempRoot } from "./helpers";
import { stackViolations } from "./policies-helpers";

const RBAC = "rbac.authorization.k8s.io";
type Obj = Record<string, any>;
const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const ns = (name: string, labels: Record<string, string> = {}): Obj => ({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } });
const sa = (namespace: string, name: string, extra: Obj = {}): Obj => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace }, ...extra });
const role = (namespace: string, name: string, rules: Obj[]): Obj => ({ apiVersion: `${RBAC}/v1`, kind: "Role", metadata: { name, namespace }, rules });
const clusterRole = (name: string, rules: Obj[], labels: Record<string, string> = {}): Obj => ({ apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name, labels }, rules });
const user = (name: string) => ({ kind: "User", apiGroup: RBAC, name });
const account = (namespace: string, name: string) => ({ kind: "ServiceAccount", name, namespace });
const bind = (namespace: string | undefined, roleRef: { kind: string; name: string }, subjects: Obj[], name = `${roleRef.name}-binding`): Obj => ({
  apiVersion: `${RBAC}/v1`,
  kind: namespace ? "RoleBinding" : "ClusterRoleBinding",
  metadata: { name, ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: RBAC, ...roleRef },
  subjects,
});
const deployment = (namespace: string, name: string, spec: Obj): Obj => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace }, spec: { template: { spec: { containers: [{ name: "c", image: "x" }], ...spec } } } });
const objects = (...list: Obj[]): PlanObject[] => list.map((object, i) => ({ urn: `urn:test::${object.kind}::${i}`, object }));

/** Namespace `a` with user u holding `rules` there, and account a/strong holding every Secret of the cluster. */
function world(rules: Obj[], ...extra: Obj[]): PlanObject[] {
  return objects(
    ns("a"),
    sa("a", "strong"),
    role("a", "u-role", rules),
    bind("a", { kind: "Role", name: "u-role" }, [user("u")]),
    clusterRole("secrets-everywhere", [rule([""], ["secrets"], ["get", "list"])]),
    bind(undefined, { kind: "ClusterRole", name: "secrets-everywhere" }, [account("a", "strong")]),
    ...extra,
  );
}
const pathsOf = (plan: readonly PlanObject[], name = "u") => escalationPaths(rbacModel(plan), { kind: "User", name });
const ends = (paths: readonly Path[]) => paths.map((p) => targetLabel(p.steps[p.steps.length - 1].to));
const SECRETS_EVERYWHERE = "cluster-admin equivalent (reads every namespace's Secrets)";

describe("RBAC evaluator", () => {
  it("resolves aggregation: built-in admin, edit and view from aggregate-to-* labels, and a plan's own aggregated roles", () => {
    const extra = clusterRole("crd-edit", [rule(["example.com"], ["widgets"], ["create"])], { "rbac.authorization.k8s.io/aggregate-to-edit": "true" });
    const mine = { apiVersion: `${RBAC}/v1`, kind: "ClusterRole", metadata: { name: "mine" }, aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: "team", operator: "In", values: ["x"] }] }] } };
    const part = clusterRole("part", [rule([""], ["configmaps"], ["get"])], { team: "x" });
    const model = rbacModel(objects(extra, mine, part));
    const has = (r: string, resource: string, verb: string) => (model.roleRules.get(`ClusterRole ${r}`) ?? []).some((x) => x.resources?.includes(resource) && (x.verbs.includes(verb) || x.verbs.includes("*")));
    assert.ok(has("edit", "widgets", "create") && has("admin", "widgets", "create"), "admin aggregates edit, which aggregates the plan's role");
    assert.ok(!has("view", "widgets", "create"));
    assert.ok(has("view", "pods", "get") && has("edit", "pods", "get") && has("admin", "pods", "get"), "view's rules reach edit and admin");
    assert.ok(has("admin", "rolebindings", "create") && !has("edit", "rolebindings", "create"));
    assert.ok(has("edit", "serviceaccounts/token", "create"));
    assert.ok(has("mine", "configmaps", "get"));
  });

  it("limits a RoleBinding to its namespace and to namespaced resources, whatever its ClusterRole says", () => {
    const plan = objects(ns("a"), clusterRole("nodes-proxy", [rule([""], ["nodes/proxy", "pods"], ["create"])]), bind("a", { kind: "ClusterRole", name: "nodes-proxy" }, [user("u")]));
    assert.deepEqual(ends(pathsOf(plan)), [], "nodes/proxy through a RoleBinding grants nothing; pods only in a");
    const cluster = objects(clusterRole("nodes-proxy", [rule([""], ["nodes/proxy"], ["get"])]), bind(undefined, { kind: "ClusterRole", name: "nodes-proxy" }, [user("u")]));
    assert.deepEqual(ends(pathsOf(cluster)), ["cluster-admin equivalent (reaches every kubelet's API through nodes/proxy (exec in any pod))"]);
  });
});

describe("escalation paths", () => {
  const becomes = (rules: Obj[], ...extra: Obj[]) => ends(pathsOf(world(rules, ...extra)));

  it("pod creation and every pod controller make the creator any account of the namespace", () => {
    for (const [groups, resources, verb] of [[[""], ["pods"], "create"], [["apps"], ["deployments"], "patch"], [["batch"], ["cronjobs"], "create"], [["apps"], ["statefulsets"], "update"], [[""], ["replicationcontrollers"], "create"]] as const) {
      assert.deepEqual(becomes([rule([...groups], [...resources], [verb])]), ["ServiceAccount a/strong", SECRETS_EVERYWHERE], `${verb} ${resources}`);
    }
    assert.deepEqual(becomes([rule([""], ["pods"], ["update", "patch", "get"])]), [], "a running pod's account cannot change");
  });

  it("follows chains, each step with the rule that allows it", () => {
    const plan = objects(
      ns("a"), ns("b"), sa("a", "mid"), sa("b", "strong"),
      role("a", "u-role", [rule([""], ["pods"], ["create"])]), bind("a", { kind: "Role", name: "u-role" }, [user("u")]),
      role("b", "mid-role", [rule(["batch"], ["jobs"], ["create"])]), bind("b", { kind: "Role", name: "mid-role" }, [account("a", "mid")]),
      clusterRole("webhooks", [rule(["admissionregistration.k8s.io"], ["mutatingwebhookconfigurations"], ["patch"])]), bind(undefined, { kind: "ClusterRole", name: "webhooks" }, [account("b", "strong")]),
    );
    const path = pathsOf(plan).find((p) => p.steps.at(-1)!.to.kind === "cluster-admin")!;
    assert.deepEqual(path.steps.map((s) => targetLabel(s.to)), ["ServiceAccount a/mid", "ServiceAccount b/strong", "cluster-admin equivalent (writes admission webhooks or policies, which see or change every request)"]);
    assert.deepEqual(path.steps.map((s) => s.grant.via), ["RoleBinding a/u-role-binding -> Role a/u-role", "RoleBinding b/mid-role-binding -> Role b/mid-role", "ClusterRoleBinding webhooks-binding -> ClusterRole webhooks"]);
  });

  it("Argo Workflows start pods as the account they name, unless the plan's step-identity policy holds the namespace to one", () => {
    const argo = [sa("kubeflow", "argo"), deployment("kubeflow", "workflow-controller", { serviceAccountName: "argo" }), clusterRole("argo", [rule([""], ["pods"], ["create"])]), bind("a", { kind: "ClusterRole", name: "argo" }, [account("kubeflow", "argo")])];
    const write = [rule(["argoproj.io"], ["workflows"], ["create"])];
    assert.deepEqual(becomes(write), [], "no Argo, no pods");
    assert.deepEqual(becomes(write, ...argo), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    const policy = {
      apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicy", metadata: { name: "step-identity" },
      spec: {
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }], namespaceSelector: { matchLabels: { team: "a" } } },
        matchConditions: [{ name: "argo", expression: "request.userInfo.username == 'system:serviceaccount:kubeflow:argo'" }],
        validations: [{ expression: "object.spec.serviceAccountName == 'runner'" }],
      },
    };
    const binding = { apiVersion: "admissionregistration.k8s.io/v1", kind: "ValidatingAdmissionPolicyBinding", metadata: { name: "step-identity" }, spec: { policyName: "step-identity", validationActions: ["Deny"] } };
    const fenced = world(write, ...argo, policy, binding, sa("a", "runner")).map((o) => (o.object.kind === "Namespace" ? { ...o, object: ns("a", { team: "a" }) } : o));
    assert.deepEqual(ends(pathsOf(fenced)), [], "only runner, which holds nothing more");
    assert.deepEqual(ends(pathsOf(world(write, ...argo, policy, { ...binding, spec: { ...binding.spec, validationActions: ["Warn"] } }, sa("a", "runner")))), ["ServiceAccount a/strong", SECRETS_EVERYWHERE], "a Warn binding holds nothing");
  });

  it("a KFP Viewer becomes a Deployment with the Viewer's pod template, account included", () => {
    const controller = [sa("kubeflow", "viewer"), deployment("kubeflow", "ml-pipeline-viewer-crd", { serviceAccountName: "viewer" }), clusterRole("viewer", [rule(["*"], ["deployments"], ["create"])]), bind(undefined, { kind: "ClusterRole", name: "viewer" }, [account("kubeflow", "viewer")])];
    const paths = pathsOf(world([rule(["kubeflow.org"], ["viewers"], ["create"])], ...controller));
    assert.deepEqual(ends(paths), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.match(paths[0].steps[0].action, /Deployment kubeflow\/ml-pipeline-viewer-crd creates a Deployment from the Viewer's pod template/);
  });

  it("exec, attach and a new image reach the accounts of pods that mount their token", () => {
    const running = deployment("a", "app", { serviceAccountName: "strong" });
    assert.deepEqual(becomes([rule([""], ["pods/exec"], ["create"])], running), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.deepEqual(becomes([rule([""], ["pods/attach"], ["get"])], running), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.deepEqual(becomes([rule([""], ["pods/exec"], ["create"])], deployment("a", "app", { serviceAccountName: "strong", automountServiceAccountToken: false })), [], "no token in the pod");
    assert.deepEqual(becomes([rule([""], ["pods/exec"], ["create"])]), [], "no pod runs as it");
    assert.deepEqual(becomes([rule([""], ["pods"], ["patch"])], running), ["ServiceAccount a/strong", SECRETS_EVERYWHERE], "a running pod's image can change, and its code runs as its account");
  });

  it("TokenRequest and service account impersonation, by name", () => {
    assert.deepEqual(becomes([rule([""], ["serviceaccounts/token"], ["create"], ["strong"])]), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.deepEqual(becomes([rule([""], ["serviceaccounts/token"], ["create"], ["other"])]), []);
    assert.deepEqual(becomes([rule([""], ["serviceaccounts"], ["impersonate"])]), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
  });

  it("Secrets: reading a token Secret of the plan, or creating one and reading it back", () => {
    const token = { apiVersion: "v1", kind: "Secret", type: "kubernetes.io/service-account-token", metadata: { name: "t", namespace: "a", annotations: { "kubernetes.io/service-account.name": "strong" } } };
    assert.deepEqual(becomes([rule([""], ["secrets"], ["get"])], token), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.deepEqual(becomes([rule([""], ["secrets"], ["get"])]), [], "no token Secret to read");
    assert.deepEqual(becomes([rule([""], ["secrets"], ["get", "create"])]), ["ServiceAccount a/strong", SECRETS_EVERYWHERE]);
  });

  it("bind and escalate: a role's rules only with bind on it, any rule with escalate", () => {
    const power = [role("a", "power", [rule([""], ["pods"], ["create"])])];
    assert.deepEqual(becomes([rule([RBAC], ["rolebindings"], ["create"])], ...power), [], "rolebindings create alone binds only what one holds");
    assert.deepEqual(becomes([rule([RBAC], ["rolebindings"], ["create"]), rule([RBAC], ["roles"], ["bind"], ["power"])], ...power), ["Role a/power in a", "ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    assert.deepEqual(becomes([rule([RBAC], ["rolebindings", "roles"], ["create"]), rule([RBAC], ["roles"], ["escalate"])]), ["every right in a", "ServiceAccount a/strong", SECRETS_EVERYWHERE]);
    const cluster = (rules: Obj[]) => ends(pathsOf(objects(clusterRole("r", rules), bind(undefined, { kind: "ClusterRole", name: "r" }, [user("u")]))));
    assert.deepEqual(cluster([rule([RBAC], ["clusterrolebindings"], ["create"]), rule([RBAC], ["clusterroles"], ["bind"], ["cluster-admin"])]), ["cluster-admin equivalent (binds any ClusterRole, cluster-admin included)", "ClusterRole cluster-admin in a"].slice(0, 1));
    assert.deepEqual(cluster([rule([RBAC], ["clusterroles"], ["escalate", "update"])]), ["cluster-admin equivalent (writes ClusterRoles with rules it lacks (escalate))"]);
    const boundHere = objects(ns("a"), sa("a", "strong"), clusterRole("power", [rule([""], ["pods"], ["create"])]), role("a", "r", [rule([RBAC], ["rolebindings"], ["create"]), rule([RBAC], ["clusterroles"], ["bind"], ["power"])]), bind("a", { kind: "Role", name: "r" }, [user("u")]));
    assert.deepEqual(ends(pathsOf(boundHere)), ["ClusterRole power in a"], "a RoleBinding's bind on a ClusterRole counts in its namespace");
  });

  it("cluster-admin equivalents: impersonating users, CSR approval for kube-apiserver-client, PersistentVolumes, wildcards", () => {
    const cluster = (rules: Obj[]) => ends(pathsOf(objects(clusterRole("r", rules), bind(undefined, { kind: "ClusterRole", name: "r" }, [user("u")]))));
    assert.deepEqual(cluster([rule([""], ["users"], ["impersonate"])]), ["cluster-admin equivalent (impersonates any user or group, system:masters included)"]);
    const admins = [clusterRole("all", [rule(["*"], ["*"], ["*"])]), bind(undefined, { kind: "ClusterRole", name: "all" }, [user("root")])];
    const named = objects(clusterRole("r", [rule([""], ["users"], ["impersonate"], ["root"])]), bind(undefined, { kind: "ClusterRole", name: "r" }, [user("u")]), ...admins);
    assert.deepEqual(ends(pathsOf(named)).slice(0, 2), ["User root", "cluster-admin equivalent (every verb on every resource)"], "a named user, then what it holds");
    assert.deepEqual(cluster([rule([""], ["groups"], ["impersonate"], ["system:masters"])]), ["cluster-admin equivalent (impersonates any user or group, system:masters included)"]);
    const csr = [rule(["certificates.k8s.io"], ["certificatesigningrequests"], ["create"]), rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"])];
    assert.deepEqual(cluster([...csr, rule(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/*"])]), ["cluster-admin equivalent (approves its own client certificate for O=system:masters)"]);
    assert.deepEqual(cluster([...csr, rule(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/kubelet-serving"])]), [], "another signer");
    assert.deepEqual(cluster(csr.slice(1).concat(rule(["certificates.k8s.io"], ["signers"], ["approve"]))), [], "cannot create the CSR");
    assert.deepEqual(cluster([rule([""], ["persistentvolumes"], ["create"])]), ["cluster-admin equivalent (creates PersistentVolumes (a hostPath volume is the node's root))"]);
    assert.ok(cluster([rule(["*"], ["*"], ["*"])]).includes("cluster-admin equivalent (every verb on every resource)"));
  });

  it("forbids a team subject's path into another team's namespace, and leaves its own alone", () => {
    const teams = objects(
      ns("red", { "kfp-platform/team": "red" }), ns("blue", { "kfp-platform/team": "blue" }), sa("red", "bot"),
      role("red", "dev", [rule([""], ["pods"], ["create"])]), bind("red", { kind: "Role", name: "dev" }, [user("u")]),
      role("blue", "peek", [rule([""], ["configmaps"], ["get"])]), bind("blue", { kind: "Role", name: "peek" }, [account("red", "bot")]),
    );
    const report = accessReport(teams);
    assert.deepEqual(report.forbidden.map((f) => `${f.path.start.name}: ${f.reason}`).sort(), [
      "bot: holds rights in team namespace blue (get on configmaps)",
      "u: into team namespace blue (ServiceAccount red/bot: get on configmaps)",
    ]);
  });
});

const STACKS = ["local", "aws-dev", "aws-prod", "aws-prod-dr", "gcp-dev", "gcp-prod"];
const plans: Record<string, PlanResult> = {};
const multiUserTeams = (c: Record<string, any>) => {
  // Multi-user teams need users (modules/config/teams.ts) and cannot be restricted (KFP's step pods).
  for (const team of c["kfp-platform:teams"] ?? []) {
    if (!team.admins && !team.members && !team.viewers) team.members = [`${team.name}-lead@example.com`];
    if (team.podSecurity === "restricted") team.podSecurity = "baseline";
  }
};

before(async () => {
  for (const stack of STACKS) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
  const root = tempRoot({ "multi-local": multiUserLocal(), "multi-aws-prod": multiUserStackYaml("aws-prod", multiUserTeams) });
  for (const stack of ["multi-local", "multi-aws-prod"]) plans[stack] = await planStack(stack, { root, outDir: null });
});

describe("access in the shipped plans", () => {
  for (const stack of [...STACKS, "multi-local", "multi-aws-prod"]) {
    it(`${stack}: plans green with team-escalation, and no team subject or step identity has a forbidden path`, () => {
      const plan = plans[stack];
      assert.deepEqual(plan.problems, []);
      assert.ok(plan.policy?.diagnostics.every((d) => d.policy !== "team-escalation"));
      const report = accessReport(plan.objects);
      assert.deepEqual(report.forbidden.map((f) => `${f.path.start.name}: ${f.reason}`), []);
      const steps = report.subjects.filter((s) => s.roles.includes("step identity")).map((s) => `${s.principal.namespace}/${s.principal.name}`).sort();
      assert.deepEqual(steps, stack.startsWith("multi") ? ["nlp/default-editor", "vision/default-editor"] : ["kubeflow/pipeline-runner"]);
      if (report.teamNamespaces.length > 0) assert.ok(report.subjects.some((s) => s.roles.includes("team subject") && s.principal.kind !== "ServiceAccount"), "teams' people are subjects");
    });
  }

  it("single-user: the step identity can become every platform account it can start a pod as, and no further", () => {
    const runner = accessReport(plans.local.objects).subjects.find((s) => s.principal.name === "pipeline-runner" && s.principal.namespace === "kubeflow")!;
    assert.ok(runner.paths.length > 0);
    assert.ok(runner.paths.every((p) => p.steps.every((s) => s.to.kind === "principal" && s.to.principal.namespace === "kubeflow")), "stays in kubeflow");
    assert.ok(runner.paths.some((p) => targetLabel(p.steps.at(-1)!.to) === "ServiceAccount kubeflow/ml-pipeline-ui"), "the UI reads every Secret there");
  });

  it("multi-user: a viewer can run a Viewer's pod as the team's run identity (its own team only)", () => {
    const report = accessReport(plans["multi-local"].objects);
    const bob = report.subjects.find((s) => s.principal.name === "bob@example.com")!;
    assert.deepEqual(bob.paths.map((p) => targetLabel(p.steps.at(-1)!.to)), ["ServiceAccount nlp/default-editor"]);
  });
});

describe("the cache deployer's binding put back (upstream 2.14.0 cache-deployer-clusterrole.yaml)", () => {
  const deployerRole = clusterRole("kubeflow-pipelines-cache-deployer-clusterrole", [
    rule(["certificates.k8s.io"], ["certificatesigningrequests", "certificatesigningrequests/approval"], ["create", "delete", "get", "update"]),
    rule(["admissionregistration.k8s.io"], ["mutatingwebhookconfigurations"], ["create", "delete", "get", "list", "patch"]),
    rule(["certificates.k8s.io"], ["signers"], ["approve"], ["kubernetes.io/*"]),
  ]);
  const deployerBinding = bind(undefined, { kind: "ClusterRole", name: "kubeflow-pipelines-cache-deployer-clusterrole" }, [account("kubeflow", "kubeflow-pipelines-cache-deployer-sa")], "kubeflow-pipelines-cache-deployer-clusterrolebinding");

  it("the engine finds the step identity's path: a pod as the deployer's account, then CSR approval and webhook writes", () => {
    const report = accessReport([...plans.local.objects, ...objects(deployerRole, deployerBinding)]);
    const runner = report.forbidden.filter((f) => f.path.start.name === "pipeline-runner");
    assert.deepEqual(runner.map((f) => f.reason).sort(), [
      "cluster-admin equivalent (approves its own client certificate for O=system:masters)",
      "cluster-admin equivalent (writes admission webhooks or policies, which see or change every request)",
    ]);
    for (const f of runner) {
      assert.match(f.path.steps[0].action, /^create pods in kubeflow/);
      assert.equal(targetLabel(f.path.steps[0].to), "ServiceAccount kubeflow/kubeflow-pipelines-cache-deployer-sa");
      assert.equal(f.grant?.via, "ClusterRoleBinding kubeflow-pipelines-cache-deployer-clusterrolebinding -> ClusterRole kubeflow-pipelines-cache-deployer-clusterrole");
    }
  });

  it("npm run plan refuses it: the pack's team-escalation fails on the binding's URN", async () => {
    const plan = await planStack("local", {
      root: REPO_ROOT,
      outDir: null,
      program: async () => {
        const outputs = await main();
        const provider = new k8s.Provider("k8s", { context: "kind-kfp" });
        new k8s.rbac.v1.ClusterRole("deployer-role", deployerRole as any, { provider });
        new k8s.rbac.v1.ClusterRoleBinding("deployer-binding", deployerBinding as any, { provider });
        return outputs;
      },
    });
    assert.equal(plan.ok, false);
    const refused = plan.problems.filter((p) => p.startsWith("policy team-escalation: "));
    assert.ok(refused.length >= 2, plan.problems.join("\n"));
    assert.ok(refused.every((p) => p.includes("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding::deployer-binding: [team-escalation] ServiceAccount kubeflow/pipeline-runner: cluster-admin equivalent")), refused.join("\n"));
    assert.deepEqual(plan.problems.filter((p) => !p.startsWith("policy team-escalation: ")), []);
  });

  it("the team-escalation policy refuses it on the binding, with the path", async () => {
    const specs = [...plans.local.resources, { urn: "deployer-role", type: `kubernetes:${RBAC}/v1:ClusterRole`, inputs: deployerRole }, { urn: "deployer-binding", type: `kubernetes:${RBAC}/v1:ClusterRoleBinding`, inputs: deployerBinding }].map((r) => ({ type: r.type, name: r.urn, props: r.inputs as Obj }));
    const found = await stackViolations(teamEscalation, specs);
    assert.ok(found.length >= 2);
    assert.ok(found.every((v) => v.name === "deployer-binding"));
    assert.ok(found.some((v) => /^\[team-escalation\] ServiceAccount kubeflow\/pipeline-runner: cluster-admin equivalent \(approves its own client certificate for O=system:masters\): 1\. create pods in kubeflow, .* -> ServiceAccount kubeflow\/kubeflow-pipelines-cache-deployer-sa .*; 2\. create certificatesigningrequests, update their approval and approve on signer kubernetes\.io\/kube-apiserver-client -> .* Fix: /.test(v.message)), found.map((v) => v.message).join("\n"));
    assert.deepEqual(await stackViolations(teamEscalation, plans.local.resources.map((r) => ({ type: r.type, name: r.urn, props: r.inputs as Obj }))), []);
  });
});

describe("docs/teams.md", () => {
  it("shows the access report of every shipped stack as `npm run access -- --docs` writes it", () => {
    const section = accessDocs(STACKS.slice().sort().map((stack) => ({ stack, report: accessReport(plans[stack].objects) })));
    const text = readFileSync(join(REPO_ROOT, "docs/teams.md"), "utf8");
    assert.equal(withAccessDocs(text, section), text, "run `npm run access -- --docs`");
    assert.match(section, /### local\n\nNo forbidden path\./);
  });
});

describe("npm run access", () => {
  it("prints every subject's rights and paths and exits 0 without a forbidden path; 2 on bad usage", () => {
    const run = runCli("access", ["local"]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^access: local\n/);
    assert.match(run.stdout, /^ServiceAccount kubeflow\/pipeline-runner {2}\[step identity\]\n {2}kubeflow: .*\n {2}path to ServiceAccount kubeflow\/argo:\n {4}1\. create pods in kubeflow/m);
    assert.match(run.stdout, /\d+ subjects, \d+ escalation paths, 0 forbidden \(team namespaces: nlp, vision\)/);
    assert.equal(runCli("access", []).status, 2);
  });
});
