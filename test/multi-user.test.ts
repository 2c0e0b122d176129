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
import { KFP_POD_SPEC_PATCH, RUN_IDENTITY_POLICY, RUN_IDENTITY_RULES, RUN_IDENTITY_VARIABLES, STEP_IDENTITY_POLICY, stepIdentity } from "../modules/tenancy/run-identity";
import { kfpStepPods } from "../engine/step-pods";
import { DYN, object, schemaDeclType, typeCheckPolicy } from "./cel-typecheck";
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

  it("refuses Workflows in team namespaces that run as anyone but default-editor, and pods Argo starts there as anyone else", () => {
    const policies = new Map(objects(plans.multi, "ValidatingAdmissionPolicy").map((p) => [p.metadata.name, p]));
    const workflows = policies.get(RUN_IDENTITY_POLICY);
    assert.deepEqual(workflows.spec.matchConstraints.resourceRules[0].resources, ["workflows"]);
    assert.deepEqual(workflows.spec.matchConstraints.namespaceSelector.matchExpressions, [{ key: "kfp-platform/team", operator: "Exists" }]);
    assert.deepEqual(workflows.spec.variables, [...RUN_IDENTITY_VARIABLES]);
    assert.deepEqual(workflows.spec.validations, [...RUN_IDENTITY_RULES]);
    const pods = policies.get(STEP_IDENTITY_POLICY);
    assert.deepEqual(pods.spec.matchConstraints.resourceRules, [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }]);
    assert.deepEqual(pods.spec.matchConditions, [{ name: "created-by-argo", expression: "request.userInfo.username == 'system:serviceaccount:kubeflow:argo'" }]);
    assert.equal(pods.spec.failurePolicy, "Fail");
    const bindings = objects(plans.multi, "ValidatingAdmissionPolicyBinding").map((b) => [b.spec.policyName, b.spec.validationActions]);
    assert.deepEqual(bindings.sort(), [[RUN_IDENTITY_POLICY, ["Deny"]], [STEP_IDENTITY_POLICY, ["Deny"]]]);
    assert.equal(objects(plans.single, "ValidatingAdmissionPolicy").length, 0);
  });

  describe("the run-identity rules, evaluated (CEL, @marcbachmann/cel-js)", () => {
    type Policy = { spec: { variables?: { name: string; expression: string }[]; matchConditions?: { expression: string }[]; validations: { expression: string; message: string }[] } };
    let evaluate: (expr: string, ctx: object) => unknown;
    const policy = (name: string): Policy => objects(plans.multi, "ValidatingAdmissionPolicy").find((p) => p.metadata.name === name);
    /** The messages of the rules that deny `object` (an evaluation error denies too: failurePolicy Fail). */
    function denials(p: Policy, object: unknown, request: object = {}): string[] {
      const variables: Record<string, unknown> = {};
      const run = (expression: string) => {
        try {
          return evaluate(expression, { object, variables, request }) === true;
        } catch {
          return false;
        }
      };
      for (const v of p.spec.variables ?? []) variables[v.name] = evaluate(v.expression, { object, variables });
      if (!(p.spec.matchConditions ?? []).every((c) => run(c.expression))) return [];
      return p.spec.validations.filter((r) => !run(r.expression)).map((r) => r.message);
    }
    /** KFP 2.14.0's own compiler output, with the run service account its API server sets in multi-user mode. */
    const compiled = (file: string): any => {
      const wf = parse(readFileSync(join(REPO_ROOT, "test/fixtures/kfp-2.14.0-compiled", file), "utf8"));
      wf.spec.serviceAccountName = RUNNER_SA;
      return wf;
    };
    const RUNS = ["exit_handler.yaml", "hello_world_with_retry.yaml", "create_pod_metadata.yaml", "importer.yaml"];
    const rule = (i: number) => RUN_IDENTITY_RULES[i].message;

    before(async () => {
      ({ evaluate } = (await import("@marcbachmann/cel-js")) as { evaluate: typeof evaluate });
    });

    it("admits runs as KFP 2.14.0 compiles them: drivers, executors, retries, pod metadata, importers, exit hooks", () => {
      for (const file of RUNS) {
        const run = compiled(file);
        assert.ok(run.spec.templates.some((t: any) => t.podSpecPatch === KFP_POD_SPEC_PATCH) || file === "importer.yaml", file);
        assert.deepEqual(denials(policy(RUN_IDENTITY_POLICY), run), [], file);
      }
    });

    it("denies every side door to another identity, each with its reason", () => {
      const run = compiled("exit_handler.yaml");
      const executorTemplate = run.spec.templates.findIndex((t: any) => t.podSpecPatch === KFP_POD_SPEC_PATCH);
      const dagTemplate = run.spec.templates.findIndex((t: any) => t.name === "comp-exit-handler-1");
      const patchTask = run.spec.templates[dagTemplate].dag.tasks.findIndex((t: any) => (t.arguments?.parameters ?? []).some((p: any) => p.name === "pod-spec-patch"));
      /** A copy of the run changed by `edit`. */
      const variant = (edit: (spec: any) => void) => {
        const copy = structuredClone(run);
        edit(copy.spec);
        return copy;
      };
      const patchArg = (spec: any) => spec.templates[dagTemplate].dag.tasks[patchTask].arguments.parameters.find((p: any) => p.name === "pod-spec-patch");
      const doors: [string, any, string][] = [
        ["another run service account", variant((s) => (s.serviceAccountName = "admin")), rule(0)],
        ["no service account (the namespace's default)", variant((s) => delete s.serviceAccountName), rule(0)],
        ["the workflow's executor service account", variant((s) => (s.executor = { serviceAccountName: "admin" })), rule(1)],
        ["a template's executor service account", variant((s) => (s.templates[executorTemplate].executor = { serviceAccountName: "admin" })), rule(1)],
        ["a template's own service account", variant((s) => (s.templates[executorTemplate].serviceAccountName = "admin")), rule(2)],
        ["a workflow-level podSpecPatch", variant((s) => (s.podSpecPatch = '{"serviceAccountName":"admin"}')), rule(3)],
        ["a template's podSpecPatch naming one", variant((s) => (s.templates[executorTemplate].podSpecPatch = '{"serviceAccountName":"admin"}')), rule(3)],
        ["a podSpecPatch spelling it with a JSON escape", variant((s) => (s.templates[executorTemplate].podSpecPatch = '{"service\\u0041ccountName":"admin"}')), rule(3)],
        ["a YAML podSpecPatch with an escape", variant((s) => (s.templates[executorTemplate].podSpecPatch = '"service\\x41ccountName": admin')), rule(3)],
        ["a podSpecPatch adding to KFP's", variant((s) => (s.templates[executorTemplate].podSpecPatch = `${KFP_POD_SPEC_PATCH}\n`)), rule(3)],
        ["a literal pod-spec-patch argument", variant((s) => (patchArg(s).value = '{"serviceAccountName":"admin"}')), rule(4)],
        ["a pod-spec-patch argument from a ConfigMap", variant((s) => Object.assign(patchArg(s), { value: undefined, valueFrom: { configMapKeyRef: { name: "x", key: "patch" } } })), rule(4)],
        ["a reference with more after it", variant((s) => (patchArg(s).value = "{{tasks.x.outputs.parameters.pod-spec-patch}}{{workflow.parameters.p}}")), rule(4)],
        ["a default for the pod-spec-patch input", variant((s) => (s.templates[executorTemplate].inputs.parameters[0].default = '{"serviceAccountName":"admin"}')), rule(4)],
        ["a workflow argument named pod-spec-patch", variant((s) => s.arguments.parameters.push({ name: "pod-spec-patch", value: "{}" })), rule(4)],
        ["templateDefaults with a service account", variant((s) => (s.templateDefaults = { serviceAccountName: "admin" })), rule(5)],
        ["templateDefaults with a podSpecPatch", variant((s) => (s.templateDefaults = { podSpecPatch: '{"serviceAccountName":"admin"}' })), rule(5)],
        ["a workflowTemplateRef", variant((s) => (s.workflowTemplateRef = { name: "elsewhere" })), rule(5)],
        ["a DAG task's templateRef", variant((s) => (s.templates[dagTemplate].dag.tasks[0].templateRef = { name: "elsewhere", template: "t" })), rule(5)],
        ["a DAG task's inline template", variant((s) => (s.templates[dagTemplate].dag.tasks[0].inline = { serviceAccountName: "admin", container: { image: "x" } })), rule(5)],
        ["a step's templateRef", variant((s) => s.templates.push({ name: "steps", steps: [[{ name: "a", templateRef: { name: "elsewhere", template: "t" } }]] })), rule(5)],
        ["a lifecycle hook's templateRef", variant((s) => (s.hooks = { exit: { templateRef: { name: "elsewhere", template: "t" } } })), rule(5)],
        ["artifact GC's service account", variant((s) => (s.artifactGC = { strategy: "OnWorkflowDeletion", serviceAccountName: "admin" })), rule(6)],
        ["artifact GC's podSpecPatch", variant((s) => (s.artifactGC = { strategy: "OnWorkflowDeletion", podSpecPatch: "{}" })), rule(6)],
        ["an artifact's GC service account", variant((s) => (s.templates[executorTemplate].outputs = { artifacts: [{ name: "a", path: "/a", artifactGC: { serviceAccountName: "admin" } }] })), rule(6)],
      ];
      for (const [what, object, message] of doors) assert.deepEqual(denials(policy(RUN_IDENTITY_POLICY), object), [message], what);
    });

    it("denies a step pod Argo starts as anyone but default-editor, and leaves other creators' pods to their RBAC", () => {
      const argo = { userInfo: { username: "system:serviceaccount:kubeflow:argo" } };
      const stepPods = kfpStepPods(plans.multi.objects).map((p) => ({ metadata: { namespace: p.namespace, ...p.metadata }, spec: p.spec }));
      assert.equal(stepPods.length, 4);
      for (const pod of stepPods) {
        assert.equal(pod.spec.serviceAccountName, RUNNER_SA);
        assert.deepEqual(denials(policy(STEP_IDENTITY_POLICY), pod, argo), []);
        // E.g. from a podSpecPatch fed by a step the Workflow policy cannot follow, or the namespace's default.
        for (const serviceAccountName of ["admin", "default"]) {
          assert.deepEqual(denials(policy(STEP_IDENTITY_POLICY), { ...pod, spec: { ...pod.spec, serviceAccountName } }, argo), [`pods Argo starts in a team namespace run as ${RUNNER_SA}`]);
        }
        const member = { userInfo: { username: "carol@example.com" } };
        assert.deepEqual(denials(policy(STEP_IDENTITY_POLICY), { ...pod, spec: { ...pod.spec, serviceAccountName: "admin" } }, member), []);
      }
    });
  });

  it("type-checks every expression as Kubernetes does against the plan's Workflow CRD (a model of cel-go's checker), which the old ones failed", () => {
    const crd = objects(plans.multi, "CustomResourceDefinition").find((c) => c.metadata.name === "workflows.argoproj.io");
    const workflow = schemaDeclType(crd.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema, true)!;
    assert.deepEqual(typeCheckPolicy(workflow, RUN_IDENTITY_VARIABLES, RUN_IDENTITY_RULES.map((r) => r.expression)), {});
    // What the real kube-apiserver v1.35.6 reported for the previous rules, and the patterns that do not help.
    assert.deepEqual(typeCheckPolicy(workflow, [], [
      `has(object.spec.serviceAccountName) && object.spec.serviceAccountName == '${RUNNER_SA}'`,
      "!has(object.spec.executor) || !has(object.spec.executor.serviceAccountName)",
      "!has(object.spec.templates) || object.spec.templates.all(t, !has(t.podSpecPatch))",
      "object.spec[?'serviceAccountName'].orValue('') == 'x'",
      "'serviceAccountName' in object.spec",
    ]), {
      [`has(object.spec.serviceAccountName) && object.spec.serviceAccountName == '${RUNNER_SA}'`]: ["undefined field 'serviceAccountName'", "undefined field 'serviceAccountName'"],
      "!has(object.spec.executor) || !has(object.spec.executor.serviceAccountName)": ["undefined field 'executor'", "undefined field 'executor'"],
      "!has(object.spec.templates) || object.spec.templates.all(t, !has(t.podSpecPatch))": ["undefined field 'templates'", "undefined field 'templates'"],
      "object.spec[?'serviceAccountName'].orValue('') == 'x'": ["found no matching overload for '_[?_]' applied to '(object.spec, string)'"],
      "'serviceAccountName' in object.spec": ["found no matching overload for '@in' applied to '(string, object.spec)'"],
    });
    // The pod rule reads typed fields of core/v1 Pod (PodSpec.serviceAccountName: string) and the request.
    const pod = object("Pod", { metadata: object("ObjectMeta", { name: DYN, namespace: DYN }), spec: object("PodSpec", { serviceAccountName: { k: "prim", name: "string" } }) });
    const { matchCondition, rule } = stepIdentity("kubeflow");
    assert.deepEqual(typeCheckPolicy(pod, [], [matchCondition.expression, rule.expression]), {});
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
