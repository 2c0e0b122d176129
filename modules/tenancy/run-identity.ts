// KFP 2.14.0 lets whoever creates a run name its ServiceAccount (run_server.go and job_server.go check
// nothing; 2.18.0's release notes add the check). In a team namespace everything a run starts must
// therefore run as default-editor, the one account the kit grants run rights. Two ValidatingAdmissionPolicies
// (GA since Kubernetes 1.30), in namespaces labelled as a team's:
//
// 1. `kfp-team-run-identity` on Workflows: refuses every place an Argo v3.6.7 Workflow can name an identity
//    (pkg/apis/workflow/v1alpha1/workflow_types.go): spec.serviceAccountName (:283-284) other than
//    default-editor, spec.executor (:291) and templates' executor (:732; workflow/controller/workflowpod.go:
//    1139-1157 mounts its token), templates' serviceAccountName (:724-725), artifact GC's service account
//    and podSpecPatch (:1062-1085, workflow level :439, per artifact :972), a workflow-level podSpecPatch
//    (:393-395, applied to every pod, workflowpod.go:363-387), spec.templateDefaults (:424-425, a template
//    under every template), spec.workflowTemplateRef (:409-410) and templateRef in steps, DAG tasks and
//    lifecycle hooks (:1511,:1578, DAGTask), and inline templates in steps and DAG tasks (:1505,:3191),
//    all of which bring templates the policy cannot see. A template's podSpecPatch may only be exactly what
//    KFP 2.14.0 emits, `{{inputs.parameters.pod-spec-patch}}` (backend/src/v2/compiler/argocompiler/
//    container.go:426; argo.go:406-408), not substring-matched: a patch is JSON or YAML, where
//    `serviceAccountName` can be spelt with escapes (`\u0041`, YAML's `\x41`), so no substring rule is
//    sound without a parser. That parameter must in turn come from where KFP takes it: a task argument
//    `{{tasks.<driver>.outputs.parameters.pod-spec-patch}}` or `{{inputs.parameters.pod-spec-patch}}`
//    (container.go:175,297-298,378-380), never a literal, a valueFrom, a default, or a workflow argument.
// 2. `kfp-team-step-identity` on Pods that Argo's controller creates: each must run as default-editor. The
//    driver's output that feeds the podSpecPatch is only known at run time (driver.go:310-319 never sets a
//    service account, but a hand-written Workflow can feed the parameter from a step of its own), so this is
//    the rule that holds whatever a Workflow says: the pod Argo submits is the one checked.
//
// Argo's Workflow CRD declares `spec` with x-kubernetes-preserve-unknown-fields and no properties, which
// Kubernetes' type checker exposes as an object without fields (apiserver pkg/cel/common/schemas.go:70-71,
// 110-140): `object.spec.serviceAccountName` fails with "undefined field", as do `object.spec['x']`,
// `object.spec[?'x']` and `'x' in object.spec` (index, optional index and `in` are declared for maps and
// lists only: cel-go v0.26.0 common/stdlib/standard.go:495-527, cel/library.go:508-521). The rules read the
// spec through a variable `spec: dyn(object.spec)`: selection on dyn is checked at run time
// (cel-go checker/checker.go:201-207), so every expression type-checks.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { kitMeta } from "../k8s/metadata";
import { ARGO_SERVICE_ACCOUNT } from "../kfp/argo";
import { RUNNER_SA } from "../kfp/multi-user/mode";
import { TEAM_LABEL } from "./team";

export const RUN_IDENTITY_POLICY = "kfp-team-run-identity";
export const STEP_IDENTITY_POLICY = "kfp-team-step-identity";

/** The one podSpecPatch KFP 2.14.0 puts in a template (container.go:426). */
export const KFP_POD_SPEC_PATCH = "{{inputs.parameters.pod-spec-patch}}";
/** The values KFP gives the pod-spec-patch parameter: a driver task's output or the caller's input (container.go:175,380). */
const PATCH_ARGUMENT = String.raw`^\{\{(tasks\.[-a-zA-Z0-9_]+\.outputs|inputs)\.parameters\.pod-spec-patch\}\}$`;

/** Variables of the Workflow policy: the spec as dyn (see above), and its templates. */
export const RUN_IDENTITY_VARIABLES = [
  { name: "spec", expression: "dyn(object.spec)" },
  { name: "templates", expression: "has(variables.spec.templates) ? variables.spec.templates : []" },
] as const;

const runner = (sa: string) => `${sa} == '${RUNNER_SA}'`;
/** `x.f` is absent or default-editor. */
const runnerOrUnset = (x: string, f = "serviceAccountName") => `(!has(${x}.${f}) || ${runner(`${x}.${f}`)})`;
/**
 * Every lifecycle hook of `x` (a map of event to hook) satisfies `ok(hook)`; `[x.hooks[e]].all(h, ...)` names
 * the hook so that has() reads a chain of selections (which @marcbachmann/cel-js, the tests' evaluator, requires).
 */
const hooks = (x: string, ok: (h: string) => string) => `(!has(${x}.hooks) || ${x}.hooks.all(e, [${x}.hooks[e]].all(h, ${ok("h")})))`;
/** Every step and DAG task of template `t` satisfies `ok(call)`. */
const calls = (t: string, ok: (s: string) => string) =>
  `(!has(${t}.dag) || !has(${t}.dag.tasks) || ${t}.dag.tasks.all(s, ${ok("s")})) && (!has(${t}.steps) || ${t}.steps.all(g, g.all(s, ${ok("s")})))`;
/** Every pod-spec-patch parameter of arguments `a` is one of KFP's references. */
const patchArguments = (x: string) =>
  `(!has(${x}.arguments) || !has(${x}.arguments.parameters) || ${x}.arguments.parameters.all(p, p.name != 'pod-spec-patch' || (!has(p.valueFrom) && has(p.value) && string(p.value).matches(r'${PATCH_ARGUMENT}'))))`;

/** The Workflow policy's rules, each with the message the API server returns when it fails. */
export const RUN_IDENTITY_RULES = [
  {
    expression: `has(variables.spec.serviceAccountName) && ${runner("variables.spec.serviceAccountName")}`,
    message: `Workflows in team namespaces run as ${RUNNER_SA}: set no other service account (KFP sets it for every run)`,
  },
  {
    expression: `(!has(variables.spec.executor) || ${runnerOrUnset("variables.spec.executor")}) && variables.templates.all(t, !has(t.executor) || ${runnerOrUnset("t.executor")})`,
    message: `the executor's service account in a team namespace must be ${RUNNER_SA}`,
  },
  {
    expression: `variables.templates.all(t, ${runnerOrUnset("t")})`,
    message: `no template in a team namespace may run as another service account than ${RUNNER_SA}`,
  },
  {
    expression: `!has(variables.spec.podSpecPatch) && variables.templates.all(t, !has(t.podSpecPatch) || t.podSpecPatch == '${KFP_POD_SPEC_PATCH}')`,
    message: `a podSpecPatch in a team namespace may only be KFP's own '${KFP_POD_SPEC_PATCH}' on a template (no Workflow-level patch)`,
  },
  {
    expression:
      `(!has(variables.spec.arguments) || !has(variables.spec.arguments.parameters) || variables.spec.arguments.parameters.all(p, p.name != 'pod-spec-patch')) && ` +
      `variables.templates.all(t, (!has(t.inputs) || !has(t.inputs.parameters) || t.inputs.parameters.all(p, p.name != 'pod-spec-patch' || (!has(p.value) && !has(p.default) && !has(p.valueFrom)))) && ` +
      `${calls("t", (s) => `${patchArguments(s)} && ${hooks(s, patchArguments)}`)}) && ${hooks("variables.spec", patchArguments)}`,
    message: "the pod-spec-patch parameter in a team namespace may only carry a KFP driver's output ({{tasks.<driver>.outputs.parameters.pod-spec-patch}}), never a value of its own",
  },
  {
    expression:
      `!has(variables.spec.templateDefaults) && !has(variables.spec.workflowTemplateRef) && ${hooks("variables.spec", (h) => `!has(${h}.templateRef)`)} && ` +
      `variables.templates.all(t, ${calls("t", (s) => `!has(${s}.templateRef) && !has(${s}.inline) && ${hooks(s, (h) => `!has(${h}.templateRef)`)}`)})`,
    message: "Workflows in team namespaces carry all their templates: no templateDefaults, workflowTemplateRef, templateRef or inline template",
  },
  {
    expression:
      `(!has(variables.spec.artifactGC) || (${runnerOrUnset("variables.spec.artifactGC")} && !has(variables.spec.artifactGC.podSpecPatch))) && ` +
      `variables.templates.all(t, !has(t.outputs) || !has(t.outputs.artifacts) || t.outputs.artifacts.all(a, !has(a.artifactGC) || ${runnerOrUnset("a.artifactGC")}))`,
    message: `artifact garbage collection in a team namespace runs as ${RUNNER_SA}, without a podSpecPatch`,
  },
] as const;

/** The Pod policy: only pods Argo's controller creates, each as default-editor (after the ServiceAccount admission plugin's default). */
export function stepIdentity(platformNamespace: string) {
  return {
    matchCondition: { name: "created-by-argo", expression: `request.userInfo.username == 'system:serviceaccount:${platformNamespace}:${ARGO_SERVICE_ACCOUNT}'` },
    rule: { expression: `object.spec.serviceAccountName == '${RUNNER_SA}'`, message: `pods Argo starts in a team namespace run as ${RUNNER_SA}` },
  };
}

function teamPolicy(prefix: string, name: string, spec: k8s.types.input.admissionregistration.v1.ValidatingAdmissionPolicySpec, opts: pulumi.CustomResourceOptions) {
  const policy = new k8s.admissionregistration.v1.ValidatingAdmissionPolicy(`${prefix}-policy`, { metadata: kitMeta(name, undefined), spec: { failurePolicy: "Fail", ...spec } }, opts);
  new k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding(
    `${prefix}-binding`,
    { metadata: kitMeta(name, undefined), spec: { policyName: policy.metadata.name, validationActions: ["Deny"] } },
    opts,
  );
  return policy;
}

const inTeams = { matchExpressions: [{ key: TEAM_LABEL, operator: "Exists" }] };

export function runIdentityPolicy(prefix: string, platformNamespace: string, opts: pulumi.CustomResourceOptions) {
  const workflows = teamPolicy(
    prefix,
    RUN_IDENTITY_POLICY,
    {
      matchConstraints: {
        resourceRules: [{ apiGroups: ["argoproj.io"], apiVersions: ["v1alpha1"], operations: ["CREATE", "UPDATE"], resources: ["workflows"] }],
        namespaceSelector: inTeams,
      },
      variables: RUN_IDENTITY_VARIABLES.map((v) => ({ ...v })),
      validations: RUN_IDENTITY_RULES.map((r) => ({ ...r })),
    },
    opts,
  );
  const { matchCondition, rule } = stepIdentity(platformNamespace);
  const pods = teamPolicy(
    `${prefix}-pods`,
    STEP_IDENTITY_POLICY,
    {
      matchConstraints: { resourceRules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"] }], namespaceSelector: inTeams },
      matchConditions: [matchCondition],
      validations: [rule],
    },
    opts,
  );
  return { workflows, pods };
}
