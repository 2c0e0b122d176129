// Pod request arithmetic used by the bench: replicas count, and init containers count only as the largest.
import assert from "node:assert/strict";
import { it } from "node:test";
import { capacityOf } from "../engine/capacity";

const deployment = (replicas: number | undefined, containers: object[], initContainers: object[] = []) => ({
  urn: "u",
  object: { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" }, spec: { replicas, template: { spec: { containers, initContainers } } } } as any,
});
const c = (cpu: string, memory: string, limit = memory) => ({ resources: { requests: { cpu, memory }, limits: { memory: limit } } });

it("sums containers, multiplies by replicas and takes max(init, containers)", () => {
  const total = capacityOf([
    deployment(2, [c("250m", "512Mi", "1Gi"), c("250m", "512Mi")]),
    deployment(undefined, [c("100m", "64Mi")], [c("2", "16Mi")]),
    deployment(0, [c("8", "8Gi")]),
  ]);
  assert.equal(total.pods, 3);
  assert.equal(total.cpuRequest, 2 * 0.5 + 2);
  assert.equal(total.memoryRequest, 2 * 1024 * 2 ** 20 + 64 * 2 ** 20);
  assert.equal(total.memoryLimit, 2 * (1024 + 512) * 2 ** 20 + 64 * 2 ** 20);
});
