// CUDA against the driver a GPU pool pins: the compatibility arithmetic, and the policy that refuses a
// pool declaring a CUDA newer than its driver runs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareVersions, eksDriverForRelease, eksReleaseProblem, maxCudaForDriver } from "../modules/facts/cuda";
import { gpuDriversPinned } from "../policies/src/rules/gpu-drivers-pinned";
import { violations } from "./policies-helpers";

const EKS = "aws:eks/nodeGroup:NodeGroup";
const pool = (releaseVersion: string, cuda: string) => ({
  clusterName: "c",
  amiType: "AL2023_x86_64_NVIDIA",
  version: "1.34",
  releaseVersion,
  labels: { "kfp-platform/cuda": cuda },
});

describe("CUDA and driver compatibility", () => {
  it("compares dotted versions numerically", () => {
    assert.ok(compareVersions("580.126.09", "580.95.05") > 0);
    assert.ok(compareVersions("12.10", "12.9") > 0);
    assert.equal(compareVersions("570.26", "570.26.0"), 0);
  });

  it("gives the newest CUDA a driver runs with full features", () => {
    assert.equal(maxCudaForDriver("580.159.03"), "13.0");
    assert.equal(maxCudaForDriver("570.195.03"), "12.8");
    assert.equal(maxCudaForDriver("575.57.08"), "12.9");
    assert.equal(maxCudaForDriver("590.44.01"), "13.1");
    assert.equal(maxCudaForDriver("470.57.02"), undefined);
  });

  it("reads an EKS AMI release's driver from the table", () => {
    assert.equal(eksDriverForRelease("1.34.9-20260714"), "580.159.03");
    assert.equal(eksDriverForRelease("1.34.1-20251016"), "570.195.03");
    assert.equal(eksDriverForRelease("1.34.1-20990101"), undefined);
    // v20251023: the driver depends on the Kubernetes minor, not only on the date.
    assert.equal(eksDriverForRelease("1.34.1-20251023"), "580.95.05");
    assert.equal(eksDriverForRelease("1.33.5-20251023"), "570.195.03");
    assert.equal(maxCudaForDriver(eksDriverForRelease("1.33.5-20251023")!), "12.8", "1.33 on v20251023 cannot run CUDA 13.0");
    assert.equal(eksDriverForRelease("1.35.6-20260714"), "580.159.03");
    assert.equal(eksDriverForRelease("1.35.6-20250807"), undefined, "v20250807 has no 1.35 AMI");
    assert.match(eksReleaseProblem("1.35.6-20250807")!, /AMI release v20250807 has 1\.33\.3/);
    for (const abandoned of ["1.34.2-20260128", "1.34.4-20260311"]) assert.equal(eksDriverForRelease(abandoned), undefined, `${abandoned} was abandoned`);
    assert.equal(maxCudaForDriver("595.45.04"), "13.2");
  });
});

describe("gpu-drivers-pinned: declared CUDA within the driver's range", () => {
  it("passes a pool whose driver runs its CUDA", async () => {
    assert.deepEqual(await violations(gpuDriversPinned, EKS, pool("1.34.9-20260714", "13.0")), []);
    assert.deepEqual(await violations(gpuDriversPinned, EKS, pool("1.34.1-20251016", "12.8")), []);
  });

  it("fails a pool declaring CUDA newer than its AMI's driver", async () => {
    const found = (await violations(gpuDriversPinned, EKS, pool("1.34.1-20251016", "13.0"))) as string[];
    assert.equal(found.length, 1);
    assert.match(found[0], /declares CUDA 13\.0 .* ships driver 570\.195\.03, which runs CUDA up to 12\.8\. Fix: pin a newer releaseVersion/);
  });

  it("fails a pool pinned to an AMI release the table does not know", async () => {
    const found = (await violations(gpuDriversPinned, EKS, pool("1.34.1-20990101", "12.8"))) as string[];
    assert.match(found[0], /releaseVersion 1\.34\.1-20990101 is not in the kit's NVIDIA AMI driver table.*modules\/facts\/eks-nvidia-amis\.ts/);
  });
});
