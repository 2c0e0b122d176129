// KFP multi-user mode as `local` plans it with kfp.mode multi-user: the API server's and UI's env, the
// controllers watching every namespace, Service ml-pipeline behind the gateway, upstream's cluster RBAC,
// per-team objects with `User` bindings, the run-identity admission policy, and NetworkPolicies that admit
// exactly the intended peers, evaluated here against the pods' labels as the plan renders them.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { GATEWAY } from "../modules/kfp/multi-user/gateway";
import { USERID_HEADER } from "../modules/kfp/multi-user/gateway-config";
import { API_SERVICE, RUNNER_SA, VISUALIZATION_SERVICE } from "../modules/kfp/multi-user/mode";
import { COMPONENT_CLUSTER_ROLES, PIPELINES_EDIT, PIPELINES_VIEW, RUNNER_RULES } from "../modules/kfp/multi-user/rbac-facts";
import { RUN_IDENTITY_POLICY } from "../modules/tenancy/run-identity";
import { configProblems, findObject, multiUserStackYaml, REPO_ROOT, tempRoot } from "./helpers";

const plans: Record<string, PlanResult> = {};
const objects = (plan: PlanResult, kind: string) => plan.objects.map((o) => o.object as any).filter((o) => o.kind === kind);
const envOf = (plan: PlanResult, deployment: string, container = 0): Record<string, unknown> =>
  Object.fromEntries(((findObject(plan, "Deployment", deployment) as any).spec.template.spec.containers[container].env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

/** The local stack in multi-user mode; carol is a member of vision, alice admin and bob viewer of nlp. */
const multiUserStack = () => multiUserStackYaml("local", (config) => (config["kfp-platform:teams"][0].members = ["carol@example.com"]));

before(async () => {
  plans.single = await planStack("local", { root: REPO_ROOT, outDir: null });
  plans.multi = await planStack("multi", { root: tempRoot({ multi: multiUserStack() }), outDir: null });
  assert.deepEqual(plans.multi.problems, []);
});

// --- a NetworkPolicy evaluator (Kubernetes semantics for the selectors the kit uses) ---------------------
interface Endpoint {
  namespace: string;
  labels: Record<string, string>;
}
const matches = (selector: any, labels: Record<string, string>) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e: any) => (e.operator === "Exists" ? k(labels, e.key) : e.operator === "In" ? e.values.includes(labels[e.key]) : true));
const k = (labels: Record<string, string>, key: string) => key in labels;
const nsLabels = (ns: string) => ({ "kubernetes.io/metadata.name": ns });
function peerMatches(peer: any, policyNamespace: string, source: Endpoint): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector ? matches(peer.namespaceSelector, nsLabels(source.namespace)) : source.namespace === policyNamespace;
  const podOk = peer.podSelector ? matches(peer.podSelector, source.labels) : true;
  return nsOk && podOk;
}
/** Whether `source` may open a TCP connection to `target` on `port`, under the plan's NetworkPolicies. */
function admits(plan: PlanResult, target: Endpoint, source: Endpoint, port: number): boolean {
  const selecting = objects(plan, "NetworkPolicy").filter(
    (p) => p.metadata.namespace === target.namespace && (p.spec.policyTypes ?? ["Ingress"]).includes("Ingress") && matches(p.spec.podSelector, target.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule: any) =>
        (rule.from ?? [{}]).some((peer: any) => Object.keys(peer).length === 0 || peerMatches(peer, p.metadata.namespace, source)) &&
        (!rule.ports || rule.ports.some((rp: any) => rp.port === port)),
    ),
  );
}
/** A Deployment's pods as the plan renders them. */
const podOf = (plan: PlanResult, deployment: string): Endpoint => {
  const d = findObject(plan, "Deployment", deployment) as any;
  return { namespace: d.metadata.namespace, labels: d.spec.template.metadata.labels };
};

describe("multi-user KFP", () => {
  it("runs the API server and the UI in multi-user mode with the kit's identity header", () => {
    const api = envOf(plans.multi, "ml-pipeline");
    assert.equal(api.MULTIUSER, "true");
    assert.equal(api.DEFAULTPIPELINERUNNERSERVICEACCOUNT, RUNNER_SA);
    assert.equal(api.KUBEFLOW_USERID_HEADER, USERID_HEADER);
    assert.equal(api.KUBEFLOW_USERID_PREFIX, "");
    const ui = envOf(plans.multi, "ml-pipeline-ui");
    assert.equal(ui.DEPLOYMENT, "KUBEFLOW");
    assert.equal(ui.ENABLE_AUTHZ, "true");
    assert.equal(ui.HIDE_SIDENAV, "false");
    assert.equal(ui.KUBEFLOW_USERID_HEADER, USERID_HEADER);
    assert.equal(ui.KUBEFLOW_USERID_PREFIX, "");
    assert.equal(ui.ML_PIPELINE_SERVICE_HOST, `${API_SERVICE}.kubeflow.svc.cluster.local`, "the UI bypasses the header-stripping gateway");
    assert.equal(ui.ARGO_KEYFORMAT, "artifacts/{{workflow.namespace}}/{{workflow.name}}/{{workflow.creationTimestamp.Y}}/{{workflow.creationTimestamp.m}}/{{workflow.creationTimestamp.d}}/{{pod.name}}");
    const argoConfig = (findObject(plans.multi, "ConfigMap", "workflow-controller-configmap") as any).data.artifactRepository;
    assert.ok(argoConfig.includes(`keyFormat: ${ui.ARGO_KEYFORMAT}`), "Argo writes logs where the UI looks");
    // Single-user mode is upstream's: none of it.
    for (const name of ["MULTIUSER", "KUBEFLOW_USERID_HEADER"]) assert.equal(envOf(plans.single, "ml-pipeline")[name], undefined);
    assert.equal(envOf(plans.single, "ml-pipeline-ui").DEPLOYMENT, undefined);
  });

  it("keeps the API server alive on a visualization request for a team namespace, which finds no server there", () => {
    // visualization_server.go:133-138 (2.14.0): multi-user with a namespace reads VisualizationService.Name
    // and .Port with GetStringConfig, which exits the process when either is unset (common/config.go:41-44);
    // viper reads them from these env vars (main.go:390-394).
    const api = envOf(plans.multi, "ml-pipeline");
    assert.equal(api.VISUALIZATIONSERVICE_NAME, VISUALIZATION_SERVICE.name);
    assert.equal(api.VISUALIZATIONSERVICE_PORT, String(VISUALIZATION_SERVICE.port));
    // The URL it then dials names a Service in the team's namespace: none exists, so the aliveness check
    // fails the request (no per-team server runs request-supplied Python as default-editor).
    for (const ns of ["vision", "nlp"]) {
      const there = objects(plans.multi, "Service").filter((svc) => svc.metadata.namespace === ns && svc.metadata.name === api.VISUALIZATIONSERVICE_NAME);
      assert.deepEqual(there, [], ns);
    }
    assert.equal((findObject(plans.multi, "Service", VISUALIZATION_SERVICE.name) as any).metadata.namespace, "kubeflow", "the central server, for requests without a namespace");
  });

  it("watches every namespace with the controllers and runs Argo cluster-wide", () => {
    for (const [deployment, env] of [["ml-pipeline-persistenceagent", "NAMESPACE"], ["ml-pipeline-scheduledworkflow", "NAMESPACE"], ["ml-pipeline-viewer-crd", "NAMESPACE"], ["cache-server", "NAMESPACE_TO_WATCH"], ["metadata-writer", "NAMESPACE_TO_WATCH"]]) {
      assert.equal(envOf(plans.multi, deployment)[env], "", `${deployment} ${env}`);
      assert.deepEqual(envOf(plans.single, deployment)[env], { fieldRef: { fieldPath: "metadata.namespace" } }, `${deployment} ${env} (single-user)`);
    }
    const args = (plan: PlanResult) => (findObject(plan, "Deployment", "workflow-controller") as any).spec.template.spec.containers[0].args as string[];
    assert.ok(!args(plans.multi).includes("--namespaced"));
    assert.ok(args(plans.single).includes("--namespaced"));
    assert.equal(JSON.parse((findObject(plans.multi, "ConfigMap", "ml-pipeline-ui-configmap") as any).data["viewer-pod-template.json"]).spec.serviceAccountName, RUNNER_SA);
  });

  it("puts Service ml-pipeline on the gateway and the API server's pods behind ml-pipeline-api", () => {
    const service = (name: string) => findObject(plans.multi, "Service", name) as any;
    assert.equal(service("ml-pipeline").spec.selector.app, GATEWAY);
    assert.deepEqual(service("ml-pipeline").spec.ports.map((p: any) => [p.name, p.port, p.targetPort]), [["http", 8888, "http"], ["grpc", 8887, "grpc"]]);
    assert.equal(service(API_SERVICE).spec.selector.app, "ml-pipeline");
    const gateway = (findObject(plans.multi, "Deployment", GATEWAY) as any).spec.template.spec;
    assert.deepEqual(gateway.containers[0].ports.map((p: any) => [p.name, p.containerPort]), [["ui", 8080], ["http", 8888], ["grpc", 8887]]);
    assert.equal(gateway.containers[0].securityContext.readOnlyRootFilesystem, true);
    const config = (findObject(plans.multi, "ConfigMap", GATEWAY) as any).data["nginx.conf"] as string;
    assert.ok(config.includes(`proxy_pass http://${API_SERVICE}.kubeflow.svc.cluster.local:8888;`));
    assert.ok(config.includes(`grpc_pass grpc://${API_SERVICE}.kubeflow.svc.cluster.local:8887;`));
    // The namespace picker's list, from the teams' users.
    for (const line of ['"alice@example.com" "[\\"nlp\\"]";', '"bob@example.com" "[\\"nlp\\"]";', '"carol@example.com" "[\\"vision\\"]";']) assert.ok(config.includes(line), line);
    assert.equal(findObject(plans.single, "Deployment", GATEWAY), undefined);
    assert.equal((findObject(plans.single, "Service", "ml-pipeline") as any).spec.selector.app, "ml-pipeline");
  });

  it("adds upstream's cluster roles, each bound to its component in kubeflow", () => {
    const roles = new Map(objects(plans.multi, "ClusterRole").map((r) => [r.metadata.name, r]));
    const bindings = objects(plans.multi, "ClusterRoleBinding");
    for (const [name, fact] of Object.entries(COMPONENT_CLUSTER_ROLES)) {
      assert.deepEqual(roles.get(name)?.rules, fact.rules, name);
      const binding = bindings.find((b) => b.roleRef.name === name);
      assert.deepEqual(binding?.subjects, [{ kind: "ServiceAccount", name: fact.binding!.serviceAccount, namespace: "kubeflow" }], name);
    }
    assert.deepEqual(roles.get(PIPELINES_EDIT)?.aggregationRule.clusterRoleSelectors, [{ matchLabels: { "rbac.authorization.kubeflow.org/aggregate-to-kubeflow-pipelines-edit": "true" } }]);
    assert.equal(roles.get(PIPELINES_VIEW)?.metadata.labels["rbac.authorization.kubeflow.org/aggregate-to-kubeflow-pipelines-edit"], "true", "edit includes view");
  });

  it("gives each team its run identity, its users as User subjects, and its own pipeline root", () => {
    const inTeam = (kind: string, ns: string) => objects(plans.multi, kind).filter((o) => o.metadata.namespace === ns);
    for (const ns of ["vision", "nlp"]) {
      assert.deepEqual(inTeam("ServiceAccount", ns).map((s) => s.metadata.name), [RUNNER_SA]);
      assert.deepEqual(inTeam("Role", ns).find((r) => r.metadata.name === "kfp-runner").rules, RUNNER_RULES);
      const launcher = inTeam("ConfigMap", ns).find((c) => c.metadata.name === "kfp-launcher");
      assert.equal(launcher.data.defaultPipelineRoot, `minio://mlpipeline/v2/artifacts/${ns}`);
      assert.equal(inTeam("ConfigMap", ns).find((c) => c.metadata.name === "metadata-grpc-configmap").data.METADATA_GRPC_SERVICE_HOST, "metadata-grpc-service.kubeflow");
      assert.ok(inTeam("Secret", ns).some((s) => s.metadata.name === "mlpipeline-minio-artifact"), "the launcher's and Argo's key Secret exists where runs execute");
    }
    const subjects = (ns: string, role: string) => inTeam("RoleBinding", ns).find((b) => b.roleRef.name === role)?.subjects;
    assert.deepEqual(subjects("nlp", PIPELINES_EDIT), [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice@example.com" }]);
    assert.deepEqual(subjects("nlp", PIPELINES_VIEW), [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "bob@example.com" }]);
    // vision's admins are a group: KFP's SubjectAccessReview sends no groups, so only carol (a user) gets KFP rights.
    assert.deepEqual(subjects("vision", PIPELINES_EDIT), [{ kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "carol@example.com" }]);
  });

  it("refuses Workflows in team namespaces that run as anyone but default-editor", () => {
    const policy = objects(plans.multi, "ValidatingAdmissionPolicy").find((p) => p.metadata.name === RUN_IDENTITY_POLICY);
    assert.deepEqual(policy.spec.matchConstraints.resourceRules[0].resources, ["workflows"]);
    assert.deepEqual(policy.spec.matchConstraints.namespaceSelector.matchExpressions, [{ key: "kfp-platform/team", operator: "Exists" }]);
    assert.ok(policy.spec.validations[0].expression.includes(`== '${RUNNER_SA}'`));
    const binding = objects(plans.multi, "ValidatingAdmissionPolicyBinding")[0];
    assert.deepEqual([binding.spec.policyName, binding.spec.validationActions], [RUN_IDENTITY_POLICY, ["Deny"]]);
  });

  it("lets a KFP-compiled run through the admission rules and stops every other identity (CEL evaluated)", async () => {
    const { evaluate } = (await import("@marcbachmann/cel-js")) as { evaluate: (expr: string, ctx: object) => unknown };
    const expressions: string[] = objects(plans.multi, "ValidatingAdmissionPolicy")[0].spec.validations.map((v: any) => v.expression);
    const failing = (object: unknown) => expressions.filter((e) => evaluate(e, { object }) !== true);
    // The shape KFP 2.14.0's compiler gives a v2 run (template.go sets the run's service account; the
    // executor template's podSpecPatch is the driver's output parameter).
    const kfpRun = {
      spec: {
        serviceAccountName: RUNNER_SA,
        entrypoint: "entrypoint",
        templates: [
          { name: "system-container-driver", container: { image: "driver" } },
          { name: "system-container-executor", podSpecPatch: "{{inputs.parameters.pod-spec-patch}}", container: { image: "launcher" } },
          { name: "entrypoint", dag: { tasks: [] } },
        ],
      },
    };
    assert.deepEqual(failing(kfpRun), []);
    const spec = kfpRun.spec;
    for (const [what, object] of [
      ["another run service account", { spec: { ...spec, serviceAccountName: "admin" } }],
      ["no service account (the namespace's default)", { spec: { templates: spec.templates } }],
      ["an executor service account", { spec: { ...spec, executor: { serviceAccountName: "admin" } } }],
      ["a template's own service account", { spec: { ...spec, templates: [...spec.templates, { name: "x", serviceAccountName: "admin" }] } }],
      ["a podSpecPatch naming one", { spec: { ...spec, templates: [{ name: "x", podSpecPatch: '{"serviceAccountName":"admin"}' }] } }],
    ] as const) {
      assert.equal(failing(object).length, 1, what);
    }
  });

  it("admits exactly the intended peers (NetworkPolicies evaluated against the plan's pod labels)", () => {
    const p = plans.multi;
    const api = podOf(p, "ml-pipeline");
    const ui = podOf(p, "ml-pipeline-ui");
    const gateway = podOf(p, GATEWAY);
    const proxy = podOf(p, "oauth2-proxy");
    const mysql = podOf(p, "mysql");
    const team: Endpoint = { namespace: "vision", labels: { "workflows.argoproj.io/workflow": "run-1" } };
    const agent = podOf(p, "ml-pipeline-persistenceagent");
    const prometheus: Endpoint = { namespace: "monitoring", labels: { "app.kubernetes.io/name": "prometheus" } };
    const exporter = podOf(p, "mysqld-exporter");
    const bootstrap: Endpoint = { namespace: "kubeflow-db-bootstrap", labels: { app: "mysql-bootstrap" } };
    const expectations: [string, Endpoint, Endpoint, number, boolean][] = [
      ["gateway -> API http", gateway, api, 8888, true],
      ["gateway -> API grpc", gateway, api, 8887, true],
      ["UI -> API", ui, api, 8888, true],
      ["team pod -> API grpc", team, api, 8887, false],
      ["team pod -> API http", team, api, 8888, false],
      ["persistence agent -> API (must use the gateway)", agent, api, 8887, false],
      ["Prometheus -> API metrics", prometheus, api, 8888, true],
      ["Prometheus -> API grpc", prometheus, api, 8887, false],
      ["gateway -> UI", gateway, ui, 3000, true],
      ["team pod -> UI", team, ui, 3000, false],
      ["API -> UI", api, ui, 3000, false],
      ["gateway -> oauth2-proxy", gateway, proxy, 4180, true],
      ["team pod -> oauth2-proxy", team, proxy, 4180, false],
      ["team pod -> gateway", team, gateway, 8887, true],
      ["API -> MySQL", api, mysql, 3306, true],
      ["cache server -> MySQL", podOf(p, "cache-server"), mysql, 3306, true],
      ["ML Metadata -> MySQL", podOf(p, "metadata-grpc-deployment"), mysql, 3306, true],
      ["bootstrap Job -> MySQL", bootstrap, mysql, 3306, true],
      ["mysqld_exporter -> MySQL", exporter, mysql, 3306, true],
      ["team pod -> MySQL", team, mysql, 3306, false],
      ["UI -> MySQL", ui, mysql, 3306, false],
      ["Prometheus -> MySQL", prometheus, mysql, 3306, false],
    ];
    const wrong = expectations.filter(([, from, to, port, allowed]) => admits(p, to, from, port) !== allowed).map(([what]) => what);
    assert.deepEqual(wrong, []);
    // Single-user mode adds no policy in the platform namespace.
    assert.deepEqual(objects(plans.single, "NetworkPolicy").filter((n) => n.metadata.namespace === "kubeflow"), []);
  });

  it("refuses multi-user without its login settings, client secret or the kubeflow namespace", () => {
    const FILE = "stacks/Pulumi.mu.yaml";
    const base = { cluster: { target: "existing" } };
    assert.match(configProblems({ ...base, kfp: { mode: "multi-user" } }, FILE).join("\n"), /kfp\.multiUser: .*needs multiUser\.oidc/);
    const full = { mode: "multi-user", multiUser: { oidc: { issuerUrl: "https://dex.example.com", clientId: "kfp" }, externalUrl: "http://localhost:8080" } };
    const secret = { secure: "v1:s" };
    assert.match(configProblems({ ...base, kfp: full }, FILE)[0], /oidcClientSecret: .*pulumi config set --secret kfp-platform:oidcClientSecret/);
    assert.match(configProblems({ ...base, kfp: full, oidcClientSecret: secret, platformNamespace: "kfp" }, FILE)[0], /platformNamespace: .*keep kubeflow/);
    assert.deepEqual(configProblems({ ...base, kfp: full, oidcClientSecret: secret }, FILE), []);
  });

  it("refuses the OIDC client secret in plain text, with the command that encrypts it", () => {
    const FILE = "stacks/Pulumi.mu.yaml";
    const kfp = { mode: "multi-user", multiUser: { oidc: { issuerUrl: "https://dex.example.com", clientId: "kfp" }, externalUrl: "http://localhost:8080" } };
    assert.deepEqual(configProblems({ cluster: { target: "existing" }, kfp, oidcClientSecret: "hunter2" }, FILE), [
      `${FILE}: kfp-platform:oidcClientSecret: is plain text in the stack file, which is committed; a secret must be encrypted. Remove the line and run: pulumi config set --secret kfp-platform:oidcClientSecret <value> (it writes the value as secure:)`,
    ]);
    // The same key as a stack file gives it, through the offline engine's reader (`secure:` marks it secret).
    const root = tempRoot({ plain: multiUserStackYaml("local", (c) => ((c["kfp-platform:oidcClientSecret"] = "hunter2"), (c["kfp-platform:teams"][0].members = ["carol@example.com"]))) });
    return planStack("plain", { root, outDir: null }).then((plan) => {
      assert.equal(plan.configInvalid, true);
      assert.match(plan.problems.join("\n"), /^stacks\/Pulumi\.plain\.yaml: kfp-platform:oidcClientSecret: is plain text/m);
    });
  });

  it("refuses, in multi-user mode, a team that names no user: KFP's authorization never sees groups", () => {
    const FILE = "stacks/Pulumi.mu.yaml";
    const kfp = { mode: "multi-user", multiUser: { oidc: { issuerUrl: "https://dex.example.com", clientId: "kfp" }, externalUrl: "http://localhost:8080" } };
    const base = { cluster: { target: "existing" }, kfp, oidcClientSecret: { secure: "v1:s" } };
    assert.deepEqual(configProblems({ ...base, teams: [{ name: "vision", groups: ["team-vision"] }] }, FILE), [
      `${FILE}: kfp-platform:teams[0].groups: found ["team-vision"]; with kfp.mode multi-user, KFP's authorization sees users, never groups, so team vision would get no KFP access (no run, experiment or pipeline in its namespace); name its people in admins, members or viewers (the e-mail addresses your identity provider returns), beside or instead of groups.`,
    ]);
    for (const people of [{ admins: ["a@x.example"] }, { members: ["m@x.example"] }, { viewers: ["v@x.example"] }]) {
      assert.deepEqual(configProblems({ ...base, teams: [{ name: "vision", groups: ["team-vision"], ...people }] }, FILE), [], JSON.stringify(people));
    }
    // Single-user mode has no KFP authorization: groups alone are fine there.
    assert.deepEqual(configProblems({ cluster: { target: "existing" }, teams: [{ name: "vision", groups: ["team-vision"] }] }, FILE), []);
  });

  it("the local stack's commented multi-user example plans once uncommented as it says", async () => {
    const text = readFileSync(join(REPO_ROOT, "stacks/Pulumi.local.yaml"), "utf8").split("\n");
    const start = text.findIndex((l) => /^  # kfp-platform:kfp:$/.test(l));
    assert.ok(start > 0, "the example block");
    const uncommented = text.map((line, i) => {
      if (/^\s+# members: \[/.test(line)) return line.replace("# ", "");
      if (i >= start && /^  # /.test(line)) return line.replace(/^  # /, "  ");
      return line;
    });
    const doc = parse(uncommented.join("\n"));
    assert.equal(doc.config["kfp-platform:kfp"].mode, "multi-user");
    doc.config["kfp-platform:oidcClientSecret"] = { secure: "v1:abc" };
    const plan = await planStack("example", { root: tempRoot({ example: stringify(doc) }), outDir: null });
    assert.deepEqual(plan.problems, []);
  });
});
