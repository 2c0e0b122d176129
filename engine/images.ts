// Every image a stack pulls, pipeline-time images included, for mirroring into a private registry.
import { operatorImages } from "../modules/gpu/operator";
import { charts } from "../modules/versions";
import type { PlanResult } from "./plan";

/** Images the cluster pulls at run time without a container spec in the plan, and where the plan names them. */
function runtimeImages(plan: PlanResult): string[] {
  const found: string[] = [];
  for (const { object } of plan.objects) {
    const o = object as any;
    if (o.kind === "ConfigMap" && o.data?.cacheImage) found.push(o.data.cacheImage);
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      for (const e of c.env ?? []) if (/^V2_.*_IMAGE$/.test(e.name) && typeof e.value === "string") found.push(e.value);
      const args: string[] = c.args ?? [];
      const i = args.indexOf("--executor-image");
      if (i >= 0) found.push(args[i + 1]);
    }
  }
  return found;
}

/** The GPU Operator releases' values: the plan holds the release, not the pods the operator makes. */
const operatorReleases = (plan: PlanResult) =>
  plan.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === charts.gpuOperator.chart).map((r) => operatorImages(r.inputs.values as any));

/**
 * Images pulled under a tag each node completes: the GPU Operator's driver, whose tag the operator
 * suffixes with the node's OS (`-ubuntu24.04`); listed without the suffix.
 */
export function perNodeImages(plan: PlanResult): string[] {
  return operatorReleases(plan).map((o) => o.driverWithoutOs);
}

/** Container images of every workload, the run-time images and the GPU Operator's, sorted and unique. */
export function imagesOf(plan: PlanResult): string[] {
  const refs = new Set<string>([...runtimeImages(plan), ...operatorReleases(plan).flatMap((o) => o.pulled)]);
  for (const { object } of plan.objects) {
    const spec = (object as any).spec?.template?.spec ?? (object as any).spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) refs.add(c.image);
  }
  return [...refs].sort();
}
