// The Kubernetes objects a plan would send to the API server, taken from the recorded inputs.
import type { RecordedResource } from "./harness";
import type { Json } from "./serialize";

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: Json | undefined };
  [field: string]: Json | undefined | KubernetesObject["metadata"];
}

export interface RenderedObject {
  urn: string;
  object: KubernetesObject;
}

/** Kubernetes resource types that are not objects of their own (providers render or own them). */
function isKubernetesObject(r: RecordedResource): boolean {
  return (
    r.custom &&
    r.type.startsWith("kubernetes:") &&
    !r.type.startsWith("kubernetes:helm.sh/") &&
    typeof r.inputs.apiVersion === "string" &&
    typeof r.inputs.kind === "string"
  );
}

/** Every Kubernetes object, in registration order, with the URN of the resource that creates it. */
export function renderedObjects(resources: readonly RecordedResource[]): RenderedObject[] {
  return resources.filter(isKubernetesObject).map((r) => ({ urn: r.urn, object: r.inputs as unknown as KubernetesObject }));
}

/** `Kind namespace/name` for messages. */
export function describeObject(o: KubernetesObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : "";
  return `${o.kind} ${ns}${o.metadata?.name ?? "(unnamed)"}`;
}
