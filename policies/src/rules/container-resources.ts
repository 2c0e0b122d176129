// Every container declares what it needs (CPU and memory requests) and a memory ceiling, so namespace
// quotas admit pipelines and one leaking pod cannot take its node down. Pipeline steps are the
// exception: their resources are the pipeline author's, with defaults from a LimitRange, and Argo's
// mainContainer must carry none. GPUs are whole devices: request
// equals limit, and pods asking for one tolerate the taint that keeps everything else off GPU nodes.
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { knobs, stringList } from "../lib/config";
import { GPU_KNOBS } from "../lib/gpu";
import { ARGO_CONFIGMAP, containersOf, isConfigMap, podSpecOf, yamlValue } from "../lib/k8s";
import { quantity } from "../lib/quantity";
import { reporter, type Props } from "../lib/report";

const NAME = "container-resources";

const config = knobs({
  maxMemoryLimitRatio: {
    type: "number",
    minimum: 1,
    description: "Largest allowed memory limit / memory request: beyond it a node overcommits memory it cannot honour.",
    default: 12,
  },
  gpuResources: stringList("Extended resource names that are GPUs.", ["nvidia.com/gpu"]),
  gpuTaintKey: GPU_KNOBS.gpuTaintKey,
});

type Check = (problem: string, fix: string) => void;

/** Requests, limits and GPU rules of one container's `resources`; true when it asks for a GPU. */
function checkResources(resources: Props | undefined, at: string, knob: ReturnType<typeof config.read>, violation: Check): boolean {
  const requests: Props = resources?.requests ?? {};
  const limits: Props = resources?.limits ?? {};
  const missing = [
    requests.cpu === undefined && "CPU request",
    requests.memory === undefined && "memory request",
    limits.memory === undefined && "memory limit",
  ].filter(Boolean);
  if (missing.length > 0) violation(`${at} has no ${missing.join(", no ")}`, "set resources.requests.cpu, resources.requests.memory and resources.limits.memory");
  for (const kind of ["cpu", "memory"]) {
    const request = quantity(requests[kind]);
    const limit = quantity(limits[kind]);
    if (request !== undefined && limit !== undefined && limit < request) violation(`${at} has a ${kind} limit (${limits[kind]}) below its request (${requests[kind]})`, `raise the ${kind} limit to at least the request`);
  }
  const memoryRequest = quantity(requests.memory);
  const memoryLimit = quantity(limits.memory);
  if (memoryRequest && memoryLimit && memoryLimit / memoryRequest > knob.maxMemoryLimitRatio) {
    violation(`${at} may grow to ${(memoryLimit / memoryRequest).toFixed(1)}x its memory request (${requests.memory} -> ${limits.memory}), above ${knob.maxMemoryLimitRatio}x`, "raise the memory request or lower the limit");
  }
  let gpu = false;
  for (const name of knob.gpuResources) {
    if (requests[name] === undefined && limits[name] === undefined) continue;
    gpu = true;
    if (limits[name] === undefined || (requests[name] !== undefined && quantity(requests[name]) !== quantity(limits[name]))) {
      violation(`${at} requests ${requests[name] ?? "no"} ${name} but limits ${limits[name] ?? "none"}`, `set resources.limits["${name}"] equal to the request (GPUs are not shared or overcommitted)`);
    }
  }
  return gpu;
}

function toleratesTaint(spec: Props, key: string): boolean {
  const tolerations: Props[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  return tolerations.some(
    (t) => (t.key === key || (!t.key && t.operator === "Exists")) && (!t.effect || t.effect === "NoSchedule"),
  );
}

export const containerResources: ResourceValidationPolicy = {
  name: NAME,
  description: "Every container needs CPU and memory requests and a memory limit (limit >= request, bounded ratio); GPU requests equal limits and GPU pods tolerate the GPU taint; Argo's mainContainer defaults carry no resources (a LimitRange gives steps theirs).",
  severity: "high",
  configSchema: config.configSchema,
  validateResource: (args, report) => {
    const knob = config.read(args);
    const violation = reporter(NAME, args, report);
    const spec = podSpecOf(args.type, args.props);
    if (spec) {
      const gpu = containersOf(spec).map(({ container, label }) => checkResources(container.resources, label, knob, violation));
      if (gpu.some(Boolean) && !toleratesTaint(spec, knob.gpuTaintKey)) {
        violation(`its pods request GPUs but do not tolerate the ${knob.gpuTaintKey} taint, so they never schedule onto GPU nodes`, `add tolerations: [{key: "${knob.gpuTaintKey}", operator: "Exists", effect: "NoSchedule"}]`);
      }
    } else if (isConfigMap(args.type, args.props, ARGO_CONFIGMAP)) {
      // Argo adds init/wait containers to every pipeline pod from `executor`; quotas count them too.
      const data: Props = args.props.data ?? {};
      checkResources(yamlValue(data.executor)?.resources, "Argo executor defaults (key executor)", knob, violation);
      // Argo strategic-merges mainContainer under every step's container key by key, before KFP's
      // podSpecPatch (which carries only what the pipeline set): any resource default here can meet a
      // step's own value and make request > limit. Step defaults belong in a LimitRange.
      const main = yamlValue(data.mainContainer)?.resources;
      if (main && Object.keys({ ...main.requests, ...main.limits }).length > 0) {
        violation(
          "Argo main-container defaults (key mainContainer) set resources, which Argo merges key by key with each step's own: a step that sets only a memory request above the default memory limit gets a pod the API server refuses",
          "remove mainContainer.resources and give steps defaults with a LimitRange in the namespaces where runs execute (kfp-platform:kfp.stepDefaults)",
        );
      }
    }
  },
};
