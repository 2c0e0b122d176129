// Pre-pull DaemonSets: per pool kind, exactly KFP's per-step images plus the stack's declared ones;
// GPU images only on GPU pools; every image run through the static busybox, so shell-less images work;
// restricted-compliant and sized; a declared image that floats fails the plan naming it.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { ImageResolver } from "../modules/images";
import { PREPULL_NAME } from "../modules/prepull";
import { findObject, REPO_ROOT, stackYaml, tempRoot } from "./helpers";

const plans: Record<string, PlanResult> = {};
before(async () => {
  for (const stack of ["local", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
});
const table = new ImageResolver();
/** The per-step images KFP and Argo will start in this plan: the API server's env and the controller's flag. */
function stepImages(plan: PlanResult): string[] {
  const api = (findObject(plan, "Deployment", "ml-pipeline") as any).spec.template.spec.containers[0];
  const env = (name: string) => api.env.find((e: any) => e.name === name).value;
  const args: string[] = (findObject(plan, "Deployment", "workflow-controller") as any).spec.template.spec.containers[0].args;
  return [env("V2_DRIVER_IMAGE"), env("V2_LAUNCHER_IMAGE"), args[args.indexOf("--executor-image") + 1]];
}
const podOf = (plan: PlanResult, kind: "cpu" | "gpu") => (findObject(plan, "DaemonSet", `${PREPULL_NAME}-${kind}`) as any)?.spec.template.spec;
const held = (pod: any) => pod.initContainers.filter((c: any) => c.name.startsWith("image-")).map((c: any) => c.image);

describe("pre-pull DaemonSets", () => {
  it("hold exactly the per-step images and the declared ones, per pool kind", () => {
    const prod = plans["aws-prod"];
    // aws-prod's come through its ECR caches: the same references KFP and Argo start steps with.
    assert.ok(stepImages(prod).every((ref) => ref.startsWith("123456789012.dkr.ecr.eu-west-1.amazonaws.com/kfp-prod/")));
    assert.deepEqual(held(podOf(prod, "cpu")), [...stepImages(prod), "docker.io/library/python:3.11.11-slim"]);
    assert.deepEqual(held(podOf(prod, "gpu")), [...stepImages(prod), "nvcr.io/nvidia/cuda:12.8.1-runtime-ubuntu24.04"]);
    // No GPU pools on local: one DaemonSet, KFP's images only, straight from the table.
    assert.deepEqual(stepImages(plans.local), [table.ref("kfpDriver"), table.ref("kfpLauncher"), table.ref("argoExec")]);
    assert.deepEqual(held(podOf(plans.local, "cpu")), stepImages(plans.local));
    assert.equal(podOf(plans.local, "gpu"), undefined);
  });

  it("put GPU images only on GPU pools, tolerating their taint; CPU images on untainted nodes", () => {
    const gpu = podOf(plans["aws-prod"], "gpu");
    assert.ok(gpu.tolerations.some((t: any) => t.key === "nvidia.com/gpu" && t.operator === "Exists"));
    const terms = gpu.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    assert.equal(terms.length, 2, "one term per GPU pool");
    const cpu = podOf(plans["aws-prod"], "cpu");
    assert.equal(cpu.tolerations, undefined);
    assert.equal(cpu.affinity, undefined);
  });

  it("run every held image through the copied static busybox, restricted and sized", () => {
    for (const pod of [podOf(plans["aws-prod"], "cpu"), podOf(plans["aws-prod"], "gpu")]) {
      const [tools, ...images] = pod.initContainers;
      assert.deepEqual(tools.command, ["/bin/cp", "/bin/busybox", "/prepull/busybox"]);
      assert.equal(tools.image, `123456789012.dkr.ecr.eu-west-1.amazonaws.com/kfp-prod/docker-hub/${table.ref("prepullTools").slice("docker.io/".length)}`);
      for (const c of images) assert.deepEqual(c.command, ["/prepull/busybox", "true"], c.name);
      for (const c of [...pod.initContainers, ...pod.containers]) {
        assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, c.name);
        assert.equal(c.securityContext.runAsNonRoot, true, c.name);
        assert.deepEqual(c.securityContext.capabilities, { drop: ["ALL"] });
        assert.equal(c.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(c.volumeMounts, [{ name: "prepull-tools", mountPath: "/prepull" }]);
      }
      assert.deepEqual(pod.securityContext, { seccompProfile: { type: "RuntimeDefault" } });
    }
  });

  it("refuse a declared image whose tag floats, naming the stack key, and one without a registry", async () => {
    const floating = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:images: { prepull: { cpu: [docker.io/library/python:3.11-slim] } }\n") }), outDir: null, policyConfig: "prod" });
    assert.equal(floating.configInvalid, true);
    assert.match(floating.problems.join("\n"), /kfp-platform:images\.prepull\.cpu\[0\]: found "docker\.io\/library\/python:3\.11-slim"; uses the version prefix 3\.11-slim .*: it pins nothing .*pin an exact version tag here/);
    assert.doesNotMatch(floating.problems.join("\n"), /modules\/versions\.ts/, "the user's own image is fixed in the stack file");
    const implied = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:images: { prepull: { cpu: [python:3.11.11] } }\n") }), outDir: null });
    assert.equal(implied.configInvalid, true);
    assert.match(implied.problems.join("\n"), /kfp-platform:images\.prepull\.cpu\[0\]: found "python:3\.11\.11"; expected registry\/repository:tag/);
  });
});
