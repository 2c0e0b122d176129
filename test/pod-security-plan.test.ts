// Pod Security in the plan: every stack's own pod templates and the pods KFP 2.14.0 and Argo v3.6.7 create
// for a pipeline step (engine/step-pods.ts), judged against the enforce level of the namespace they run
// in. A restricted team in multi-user mode is refused by config; forced through, the engine refuses its
// step pods with exactly the checks a real kube-apiserver v1.35.6 named:
//   pods "..." is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false
//   (containers "init", "kfp-launcher", "wait", "main" ...), unrestricted capabilities (...),
//   runAsNonRoot != true (...), seccompProfile (...)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import { parse, stringify } from "yaml";
import { formatPodSecurityViolation, judgedPods, podSecurityVerdict } from "../engine/apiserver";
import { forbiddenMessage } from "../engine/apiserver/pod-security";
import type { RenderedObject } from "../engine/manifests";
import { planStack, type PlanResult } from "../engine/plan";
import { kfpStepPods } from "../engine/step-pods";
import { REPO_ROOT, stackYaml, tempRoot } from "./helpers";

const STACKS = ["local", "aws-dev", "aws-prod", "aws-prod-dr", "gcp-dev", "gcp-prod"];
const POD_KINDS = ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"];

/** The local stack with changes to its config (a function of the parsed stack file). */
function localWith(change: (config: Record<string, any>) => void): string {
  const doc = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.local.yaml"), "utf8"));
  change(doc.config);
  return stringify(doc);
}
const MULTI_USER = (c: Record<string, any>) => {
  c["kfp-platform:kfp"] = { mode: "multi-user", multiUser: { oidc: { issuerUrl: "https://dex.example.com", clientId: "kfp" }, externalUrl: "http://localhost:8080" } };
  c["kfp-platform:oidcClientSecret"] = { secure: "v1:abc" };
  // Multi-user teams need users: KFP's authorization sees no groups (modules/config/teams.ts).
  for (const team of c["kfp-platform:teams"] ?? []) if (!team.admins && !team.members && !team.viewers) team.members = [`${team.name}-lead@example.com`];
};

/** The plan's objects with one namespace's enforce label changed (what a hand edit or another tool would do). */
function relabelled(objects: readonly RenderedObject[], namespace: string, level: string): RenderedObject[] {
  return objects.map((o) =>
    o.object.kind === "Namespace" && o.object.metadata.name === namespace
      ? { ...o, object: { ...o.object, metadata: { ...o.object.metadata, labels: { ...o.object.metadata.labels, "pod-security.kubernetes.io/enforce": level } } } }
      : o,
  );
}

const plans: Record<string, PlanResult> = {};
before(async () => {
  for (const stack of STACKS) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
  const root = tempRoot({ multi: localWith(MULTI_USER), privileged: localWith((c) => (c["kfp-platform:platformPodSecurity"] = "privileged")) });
  plans.multi = await planStack("multi", { root, outDir: null, policyConfig: false });
  plans.privileged = await planStack("privileged", { root, outDir: null, policyConfig: false });
});

describe("Pod Security in the plan", () => {
  for (const stack of STACKS) {
    it(`${stack}: judges every pod template and the step pods, and admits them all`, () => {
      const plan = plans[stack];
      assert.deepEqual(plan.problems, []);
      const templates = plan.objects.filter((o) => POD_KINDS.includes(o.object.kind)).length;
      assert.ok(templates > 10, `${stack} has pod templates`);
      assert.deepEqual(plan.podSecurity?.judged, { templates, stepPods: 2 });
      assert.deepEqual(plan.podSecurity?.violations, []);
      // The EKS stacks put the Cluster Autoscaler in kube-system, which the plan does not create.
      assert.deepEqual(plan.podSecurity?.assumedPrivileged, stack.startsWith("aws") ? ["kube-system"] : []);
    });
  }

  it("shapes the step pods from the plan: images, the executor config, containers in the order the server lists them", () => {
    const plan = plans.local;
    const [driver, executor] = kfpStepPods(plan.objects);
    const apiEnv = Object.fromEntries(
      ((plan.objects.find((o) => o.object.kind === "Deployment" && o.object.metadata.name === "ml-pipeline")!.object as any).spec.template.spec.containers[0].env as any[]).map((e) => [e.name, e.value]),
    );
    const executorConfig = parse((plan.objects.find((o) => o.object.metadata.name === "workflow-controller-configmap")!.object as any).data.executor);
    assert.deepEqual([driver.role, driver.namespace, executor.role, executor.namespace], ["driver", "kubeflow", "executor", "kubeflow"]);
    const names = (p: typeof driver) => [...p.spec.initContainers, ...p.spec.containers].map((c: any) => c.name);
    assert.deepEqual(names(driver), ["init", "wait", "main"]);
    assert.deepEqual(names(executor), ["init", "kfp-launcher", "wait", "main"]);
    assert.equal(driver.spec.containers[1].image, apiEnv.V2_DRIVER_IMAGE);
    assert.equal(executor.spec.initContainers[1].image, apiEnv.V2_LAUNCHER_IMAGE);
    assert.deepEqual(executor.spec.initContainers[0].resources, executorConfig.resources, "Argo's init container takes the executor config");
    assert.equal(executor.spec.serviceAccountName, "pipeline-runner");
  });

  it("runs single-user steps in the platform namespace at baseline and at privileged", () => {
    for (const plan of [plans.local, plans.privileged]) {
      assert.deepEqual(plan.problems, []);
      assert.deepEqual(kfpStepPods(plan.objects).map((p) => p.namespace), ["kubeflow", "kubeflow"]);
    }
    const platform = (plan: PlanResult) => plan.objects.find((o) => o.object.kind === "Namespace" && o.object.metadata.name === "kubeflow")!.object.metadata.labels!;
    assert.equal(platform(plans.local)["pod-security.kubernetes.io/enforce"], "baseline");
    assert.equal(platform(plans.privileged)["pod-security.kubernetes.io/enforce"], "privileged");
  });

  it("runs multi-user steps in each team namespace as default-editor, and admits them at baseline (and privileged)", () => {
    const plan = plans.multi;
    assert.deepEqual(plan.problems, []);
    const steps = kfpStepPods(plan.objects);
    assert.deepEqual(steps.map((p) => `${p.role}@${p.namespace}`).sort(), ["driver@nlp", "driver@vision", "executor@nlp", "executor@vision"]);
    assert.ok(steps.every((p) => p.spec.serviceAccountName === "default-editor"));
    const team = plan.objects.find((o) => o.object.kind === "Namespace" && o.object.metadata.name === "nlp")!.object.metadata.labels!;
    assert.equal(team["pod-security.kubernetes.io/enforce"], "baseline");
    assert.deepEqual(podSecurityVerdict(relabelled(plan.objects, "nlp", "privileged")).violations, []);
  });

  it("refuses a restricted team in multi-user mode by config, before anything is planned", async () => {
    const stack = localWith((c) => {
      MULTI_USER(c);
      c["kfp-platform:teams"][1].podSecurity = "restricted";
    });
    const plan = await planStack("restricted", { root: tempRoot({ restricted: stack }), outDir: null, policyConfig: false });
    assert.equal(plan.configInvalid, true);
    assert.equal(plan.resources.length, 0);
    assert.deepEqual(plan.problems.length, 1);
    assert.match(plan.problems[0], /^stacks\/Pulumi\.restricted\.yaml: kfp-platform:teams\[1\]\.podSecurity: found "restricted"; team nlp runs its pipelines in its own namespace \(kfp\.mode multi-user\), and KFP 2\.14\.0's step pods cannot meet restricted/);
    // Single-user: the team's namespace runs no pipelines, so restricted stays allowed (aws-prod's nlp team).
    assert.deepEqual(plans["aws-prod"].problems, []);
  });

  it("forced through (a restricted team namespace), refuses the step pods with the checks the real server named", () => {
    const objects = relabelled(plans.multi.objects, "nlp", "restricted");
    const verdict = podSecurityVerdict(objects);
    const containers = { driver: '"init", "wait", "main"', executor: '"init", "kfp-launcher", "wait", "main"' };
    const expected = (role: "driver" | "executor") =>
      `violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (containers ${containers[role]} must set securityContext.allowPrivilegeEscalation=false), ` +
      `unrestricted capabilities (containers ${containers[role]} must set securityContext.capabilities.drop=["ALL"]), ` +
      `runAsNonRoot != true (pod or containers ${containers[role]} must set securityContext.runAsNonRoot=true), ` +
      `seccompProfile (pod or containers ${containers[role]} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;
    for (const role of ["driver", "executor"] as const) {
      const found = verdict.violations.filter((v) => v.namespace === "nlp" && v.what.startsWith(`KFP step pod ${role}`));
      assert.deepEqual(found.map((v) => v.check), ["allowPrivilegeEscalation", "capabilities_restricted", "runAsNonRoot", "seccompProfile_restricted"]);
      assert.equal(forbiddenMessage("restricted", found), expected(role));
    }
    assert.deepEqual(verdict.violations.map((v) => v.namespace), Array(8).fill("nlp"), "only nlp's step pods, nothing else");
    const config = plans.multi.objects.find((o) => o.object.metadata.name === "workflow-controller-configmap")!;
    assert.equal(
      formatPodSecurityViolation(verdict.violations[0]),
      `pod-security: KFP step pod driver (KFP 2.14.0 system-container-driver, Argo v3.6.7 init and wait) in namespace nlp (${config.urn}): violates PodSecurity "restricted:latest": check allowPrivilegeEscalation: allowPrivilegeEscalation != false (containers "init", "wait", "main" must set securityContext.allowPrivilegeEscalation=false)`,
    );
  });

  it("still refuses restricted step pods with a hardened executor config and pod securityContext: kfp-launcher and main stay non-compliant", () => {
    const objects = relabelled(plans.multi.objects, "nlp", "restricted").map((o) => {
      if (o.object.metadata.name !== "workflow-controller-configmap") return o;
      const data = { ...(o.object as any).data };
      const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 8737, seccompProfile: { type: "RuntimeDefault" } };
      data.executor = stringify({ ...parse(data.executor), securityContext: hardened });
      data.workflowDefaults = stringify({ spec: { ...parse(data.workflowDefaults).spec, securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } } } });
      return { ...o, object: { ...o.object, data } };
    });
    const found = podSecurityVerdict(objects).violations.filter((v) => v.what.startsWith("KFP step pod executor"));
    assert.deepEqual(found.map((v) => `${v.check}: ${v.detail}`), [
      'allowPrivilegeEscalation: containers "kfp-launcher", "main" must set securityContext.allowPrivilegeEscalation=false',
      'capabilities_restricted: containers "kfp-launcher", "main" must set securityContext.capabilities.drop=["ALL"]',
    ]);
  });

  it("fails the plan with one line per violated check, naming the object, namespace, containers and check", async () => {
    const plan = await planStack("dev", {
      root: tempRoot({ dev: stackYaml() }),
      outDir: null,
      policyConfig: false,
      program: async () => {
        const provider = new k8s.Provider("p", { context: "kind-test" });
        new k8s.core.v1.Namespace("ns", { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } }, { provider });
        const container = { name: "agent", image: "registry.example/agent:1.0.0", securityContext: { privileged: true } };
        new k8s.apps.v1.DaemonSet(
          "agent",
          { metadata: { name: "agent", namespace: "apps" }, spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { hostNetwork: true, containers: [container] } } } },
          { provider },
        );
        // A namespace the plan does not create is judged at the server's default, privileged.
        new k8s.apps.v1.DaemonSet(
          "elsewhere",
          { metadata: { name: "agent", namespace: "kube-system" }, spec: { selector: { matchLabels: { app: "a" } }, template: { metadata: { labels: { app: "a" } }, spec: { hostNetwork: true, containers: [container] } } } },
          { provider },
        );
      },
    });
    const urn = "urn:pulumi:dev::kfp-platform::kubernetes:apps/v1:DaemonSet::agent";
    assert.deepEqual(plan.problems, [
      `pod-security: pod template of DaemonSet apps/agent in namespace apps (${urn}): violates PodSecurity "baseline:latest": check hostNamespaces: host namespaces (hostNetwork=true)`,
      `pod-security: pod template of DaemonSet apps/agent in namespace apps (${urn}): violates PodSecurity "baseline:latest": check privileged: privileged (container "agent" must not set securityContext.privileged=true)`,
    ]);
    assert.deepEqual(plan.podSecurity?.assumedPrivileged, ["kube-system"]);
    assert.equal(judgedPods(plan.objects).length, 2);
  });
});
