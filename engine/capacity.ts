// What a plan asks of the cluster: the sum of pod requests (and memory limits) over every workload,
// counting replicas, with Kubernetes' rule that a pod requests max(largest init container, sum of containers).
import { parseQuantity } from "../modules/config/quantities";
import type { RenderedObject } from "./manifests";

export interface Capacity {
  cpuRequest: number;
  memoryRequest: number;
  memoryLimit: number;
  pods: number;
}

function podTotals(spec: any, kind: "requests" | "limits", resource: "cpu" | "memory"): number {
  const amount = (c: any) => parseQuantity(c.resources?.[kind]?.[resource] ?? "0") ?? 0;
  const containers = (spec.containers ?? []).reduce((sum: number, c: any) => sum + amount(c), 0);
  const init = Math.max(0, ...(spec.initContainers ?? []).map(amount));
  return Math.max(containers, init);
}

export function capacityOf(objects: readonly RenderedObject[]): Capacity {
  const total: Capacity = { cpuRequest: 0, memoryRequest: 0, memoryLimit: 0, pods: 0 };
  for (const { object } of objects) {
    const o = object as any;
    if (!["Deployment", "StatefulSet"].includes(o.kind)) continue;
    const replicas = o.spec.replicas ?? 1;
    const spec = o.spec.template.spec;
    total.pods += replicas;
    total.cpuRequest += replicas * podTotals(spec, "requests", "cpu");
    total.memoryRequest += replicas * podTotals(spec, "requests", "memory");
    total.memoryLimit += replicas * podTotals(spec, "limits", "memory");
  }
  return total;
}
