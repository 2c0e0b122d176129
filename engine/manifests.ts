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

/**
 * Two objects the API server would take as one: same API group (the version does not matter: apps/v1
 * and apps/v1beta2 name the same object), kind, namespace and name. The second create fails with
 * AlreadyExists mid-`up`, or both resources fight over one object. One line per pair, naming both URNs.
 */
export function duplicateObjects(objects: readonly RenderedObject[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const { urn, object } of objects) {
    const group = object.apiVersion.includes("/") ? object.apiVersion.split("/")[0] : "core";
    const key = `${group}/${object.kind}/${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? ""}`;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, urn);
    else {
      problems.push(
        `duplicate object: ${describeObject(object)} (${group === "core" ? "core" : `group ${group}`}) is created by both ${first} and ${urn}; the API server keeps one object per group, kind, namespace and name, so the second create would fail with AlreadyExists. Rename one (its metadata.name or namespace), or let one component own it`,
      );
    }
  }
  return problems;
}

/** Apply order kubectl and kustomize use, so manifests.yaml reads (and applies) top-down. */
const KIND_ORDER = [
  "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy",
  "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service",
  "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet",
  "CronJob", "PodDisruptionBudget", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
];

/** Objects sorted by kind (apply order, unknown kinds last), then namespace and name: stable across runs. */
export function inApplyOrder(objects: readonly RenderedObject[]): RenderedObject[] {
  const rank = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);
  const key = (o: KubernetesObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name ?? ""}`;
  return [...objects].sort(
    (a, b) => rank(a.object.kind) - rank(b.object.kind) || a.object.kind.localeCompare(b.object.kind) || key(a.object).localeCompare(key(b.object)),
  );
}
