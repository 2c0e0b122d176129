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
const stepImages = [table.ref("kfpDriver"), table.ref("kfpLauncher"), table.ref("argoExec")];
const podOf = (plan: PlanResult, kind: "cpu" | "gpu") => (findObject(plan, "DaemonSet", `${PREPULL_NAME}-${kind}`) as any)?.spec.template.spec;
const held = (pod: any) => pod.initContainers.filter((c: any) => c.name.startsWith("image-")).map((c: any) => c.image);

describe("pre-pull DaemonSets", () => {
  it("hold exactly the per-step images and the declared ones, per pool kind", () => {
    const prod = plans["aws-prod"];
    assert.deepEqual(held(podOf(prod, "cpu")), [...stepImages, "docker.io/library/python:3.11.11-slim"]);
    assert.deepEqual(held(podOf(prod, "gpu")), [...stepImages, "nvcr.io/nvidia/cuda:12.8.1-runtime-ubuntu24.04"]);
    // No GPU pools on local: one DaemonSet, KFP's images only.
    assert.deepEqual(held(podOf(plans.local, "cpu")), stepImages);
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
      assert.equal(tools.image, table.ref("prepullTools"));
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

  it("fail the plan naming a declared image whose tag floats, and refuse one without a registry", async () => {
    const floating = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:images: { prepull: { cpu: [docker.io/library/python:3.11-slim] } }\n") }), outDir: null, policyConfig: "prod" });
    assert.equal(floating.ok, false);
    assert.ok(floating.problems.some((p) => /images-pinned.*docker\.io\/library\/python:3\.11-slim uses the version prefix 3\.11-slim/.test(p)), floating.problems.join("\n"));
    const implied = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:images: { prepull: { cpu: [python:3.11.11] } }\n") }), outDir: null });
    assert.equal(implied.configInvalid, true);
    assert.match(implied.problems.join("\n"), /kfp-platform:images\.prepull\.cpu\[0\]: found "python:3\.11\.11"; expected registry\/repository:tag/);
  });
});
