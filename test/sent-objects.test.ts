// Every Kubernetes object the kit sends, in every stack file and in multi-user variants of `local` and
// `aws-dev`, checked for what a second `pulumi up` or a pipeline step could trip over:
//   - fields a controller owns (the provider applies server-side; a field another manager owns is a
//     conflict on the next apply, or a fight on every one): an aggregated ClusterRole's rules, `status`,
//     server-set metadata, a webhook's or CRD's caBundle where an injector fills it, a service-account
//     token Secret's data, a Deployment's replicas under an HPA;
//   - RBAC that signs certificates (the cache deployer's, left out since the kit issues the webhook's).
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { listStacks } from "../engine/stack-file";
import { planStack, type PlanResult } from "../engine/plan";
import { CACHE_DEPLOYER_SA, LEFT_OUT_RBAC } from "../modules/kfp/rbac-facts";
import { findObject, multiUserStackYaml, REPO_ROOT, tempRoot } from "./helpers";

type Any = any;
const plans: PlanResult[] = [];

before(async () => {
  for (const stack of listStacks(REPO_ROOT)) plans.push(await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false }));
  const multi = tempRoot({ "local-multi-user": multiUserStackYaml("local", (c) => (c["kfp-platform:teams"][0].members = ["carol@example.com"])), "aws-dev-multi-user": multiUserStackYaml("aws-dev") });
  for (const stack of ["local-multi-user", "aws-dev-multi-user"]) plans.push(await planStack(stack, { root: multi, outDir: null, policyConfig: false }));
  for (const plan of plans) assert.deepEqual(plan.problems, [], plan.stack);
});

/** Annotations by which an injector (cert-manager's cainjector, OpenShift's service CA) owns a caBundle. */
const CA_INJECTION = ["cert-manager.io/inject-ca-from", "cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-apiserver-ca", "service.beta.openshift.io/inject-cabundle"];
const SERVER_METADATA = ["resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink", "deletionTimestamp"];
const TLS_TYPES = /^tls:index\/(selfSignedCert|locallySignedCert):/;

/** Problems with controller-owned fields in one plan, one line each ("<stack>: <Kind ns/name>: <field>: why"). */
function controllerOwnedFields(plan: PlanResult): string[] {
  const problems: string[] = [];
  const objects = plan.objects.map((o) => ({ urn: o.urn, object: o.object as Any }));
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const typeOf = (urn: string) => byUrn.get(urn)?.type ?? "";
  const hpaTargets = new Set(
    objects.filter(({ object }) => object.kind === "HorizontalPodAutoscaler").map(({ object }) => `${object.spec.scaleTargetRef.kind}/${object.metadata.namespace}/${object.spec.scaleTargetRef.name}`),
  );
  for (const { urn, object } of objects) {
    const where = `${plan.stack}: ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;
    const injected = CA_INJECTION.some((a) => a in (object.metadata.annotations ?? {}));
    if ("status" in object) problems.push(`${where}: status: written by the object's controller and the API server, never sent`);
    for (const field of SERVER_METADATA) if (field in object.metadata) problems.push(`${where}: metadata.${field}: set by the API server`);
    if (object.kind === "ClusterRole" && object.aggregationRule && "rules" in object) {
      problems.push(`${where}: rules: the aggregation controller owns an aggregated ClusterRole's rules; send aggregationRule alone`);
    }
    if (object.kind === "MutatingWebhookConfiguration" || object.kind === "ValidatingWebhookConfiguration") {
      (object.webhooks ?? []).forEach((hook: Any, i: number) => {
        if (!hook.clientConfig?.caBundle) return;
        if (injected) problems.push(`${where}: webhooks[${i}].clientConfig.caBundle: an injector annotation hands the field to its controller`);
        const from = byUrn.get(urn)?.propertyDependencies.webhooks ?? [];
        if (!from.some((dep) => TLS_TYPES.test(typeOf(dep)))) problems.push(`${where}: webhooks[${i}].clientConfig.caBundle: not from a certificate the stack itself issues (tls provider)`);
      });
    }
    if (object.kind === "CustomResourceDefinition" && object.spec?.conversion?.webhook?.clientConfig?.caBundle && injected) {
      problems.push(`${where}: spec.conversion.webhook.clientConfig.caBundle: an injector annotation hands the field to its controller`);
    }
    if (object.kind === "APIService" && object.spec?.caBundle && injected) problems.push(`${where}: spec.caBundle: an injector annotation hands the field to its controller`);
    if (object.kind === "Secret" && object.type === "kubernetes.io/service-account-token" && (object.data || object.stringData)) {
      problems.push(`${where}: data: the token controller fills a service-account token Secret`);
    }
    if (hpaTargets.has(`${object.kind}/${object.metadata.namespace}/${object.metadata.name}`) && object.spec?.replicas !== undefined) {
      problems.push(`${where}: spec.replicas: a HorizontalPodAutoscaler scales it`);
    }
  }
  return problems;
}

describe("objects the kit sends (every stack, and multi-user variants)", () => {
  it("carry no field a controller owns", () => {
    assert.deepEqual(plans.flatMap(controllerOwnedFields), []);
  });

  it("the check does catch controller-owned fields (on edited copies of the plan)", () => {
    const local = plans.find((p) => p.stack === "local-multi-user")!;
    const edited: PlanResult = { ...local, objects: local.objects.map((o) => ({ ...o, object: structuredClone(o.object) })) };
    const obj = (kind: string, name: string) => edited.objects.find((o) => o.object.kind === kind && o.object.metadata.name === name)!.object as Any;
    obj("ClusterRole", "kubeflow-pipelines-edit").rules = [];
    obj("ResourceQuota", "team-quota").status = { hard: {} };
    obj("MutatingWebhookConfiguration", "cache-webhook-kubeflow").metadata.annotations = { "cert-manager.io/inject-ca-from": "kubeflow/kfp-cache-cert" };
    const found = controllerOwnedFields(edited);
    assert.equal(found.length, 3, found.join("\n"));
    assert.match(found.join("\n"), /ClusterRole kubeflow-pipelines-edit: rules/);
    assert.match(found.join("\n"), /ResourceQuota \S+\/team-quota: status/);
    assert.match(found.join("\n"), /MutatingWebhookConfiguration cache-webhook-kubeflow: webhooks\[0\]\.clientConfig\.caBundle: an injector/);
  });

  it("the cache webhook's caBundle is the kit's own CA (from the tls provider), which no controller injects", () => {
    for (const plan of plans) {
      const webhook = findObject(plan, "MutatingWebhookConfiguration", "cache-webhook-kubeflow") as Any;
      assert.ok(webhook?.webhooks[0].clientConfig.caBundle, plan.stack);
      assert.equal(webhook.metadata.annotations, undefined, plan.stack);
    }
  });

  it("grant nobody the right to sign or approve certificates, and bind nothing to the cache deployer", () => {
    const problems: string[] = [];
    for (const plan of plans) {
      for (const { object } of plan.objects as { object: Any }[]) {
        const where = `${plan.stack}: ${object.kind} ${object.metadata.name}`;
        if (object.kind === "Role" || object.kind === "ClusterRole") {
          for (const r of object.rules ?? []) {
            const certificates = r.apiGroups.some((g: string) => g === "certificates.k8s.io" || g === "*");
            const signing = r.resources.some((res: string) => ["signers", "certificatesigningrequests/approval", "*"].includes(res));
            if (certificates && signing) problems.push(`${where}: ${JSON.stringify(r)}`);
          }
        }
        if ((object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") && (object.subjects ?? []).some((s: Any) => s.kind === "ServiceAccount" && s.name === CACHE_DEPLOYER_SA)) {
          problems.push(`${where}: binds ${CACHE_DEPLOYER_SA}`);
        }
      }
      for (const [kind, name] of LEFT_OUT_RBAC) if (findObject(plan, kind, name)) problems.push(`${plan.stack}: ${kind} ${name} is back`);
    }
    assert.deepEqual(problems, []);
  });
});
