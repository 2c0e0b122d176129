// A model of what the API server does to a new Pod's resources, from Kubernetes' source: defaulting
// (core/v1 SetDefaults_Pod: a limit without a request becomes the request), then LimitRanger
// (plugin/pkg/admission/limitranger: each missing field from the namespace's LimitRanges' Container
// items), and the requests a ResourceQuota charges (max of the sum of containers and the largest init
// container, per resource). Tests judge the result with the engine's own API-server rules.
import { parseQuantity } from "../modules/config/quantities";

export type Resources = { requests?: Record<string, string>; limits?: Record<string, string> };
export interface LimitRangeItem {
  type: string;
  default?: Record<string, string>;
  defaultRequest?: Record<string, string>;
}

/** A container's resources once the API server admitted its Pod into a namespace with these LimitRange items. */
export function admitContainer(resources: Resources, limitRangeItems: LimitRangeItem[]): Resources {
  const requests = { ...resources.requests };
  const limits = { ...resources.limits };
  for (const [name, limit] of Object.entries(limits)) requests[name] ??= limit;
  for (const item of limitRangeItems.filter((i) => i.type === "Container")) {
    for (const [name, value] of Object.entries(item.default ?? {})) limits[name] ??= value;
    for (const [name, value] of Object.entries(item.defaultRequest ?? {})) requests[name] ??= value;
  }
  return { ...(Object.keys(requests).length ? { requests } : {}), ...(Object.keys(limits).length ? { limits } : {}) };
}

/** What a ResourceQuota charges a Pod, per resource (in base units: cores, bytes). */
export function podRequests(pod: { initContainers?: Resources[]; containers: Resources[] }): Record<string, number> {
  const total: Record<string, number> = {};
  const add = (into: Record<string, number>, r: Resources) => {
    for (const [name, q] of Object.entries(r.requests ?? {})) into[name] = (into[name] ?? 0) + (parseQuantity(q) ?? 0);
  };
  for (const c of pod.containers) add(total, c);
  for (const init of pod.initContainers ?? []) {
    const one: Record<string, number> = {};
    add(one, init);
    for (const [name, value] of Object.entries(one)) total[name] = Math.max(total[name] ?? 0, value);
  }
  return total;
}
