// Labels and metadata shared by every Kubernetes object the kit creates.
import type * as pulumi from "@pulumi/pulumi";

/** Upstream KFP puts this label on every object and in every selector; keeping it lets a kit-managed
 *  install adopt (and be compared with) a kustomize-installed one. Selectors are immutable: never change it. */
export const KFP_APP_LABEL = { "application-crd-id": "kubeflow-pipelines" } as const;

/** The label (and value) that marks an object as part of the kit; policies recognise the kit's objects by it. */
export const PART_OF_LABEL = { key: "app.kubernetes.io/part-of", value: "kfp-platform" } as const;

/** Labels that mark an object as ours without touching any selector. */
const OWNERSHIP_LABELS = {
  [PART_OF_LABEL.key]: PART_OF_LABEL.value,
  "app.kubernetes.io/managed-by": "pulumi",
} as const;

/** Selector labels: upstream's app label plus the component's own, exactly as upstream selects. */
export function selectorLabels(own: Record<string, string>): Record<string, string> {
  return { ...KFP_APP_LABEL, ...own };
}

/** Metadata for a namespaced object with upstream's name and labels, plus our ownership labels. */
export function objectMeta(
  name: string,
  namespace: string | undefined,
  labels: Record<string, string> = {},
  annotations?: Record<string, pulumi.Input<string>>,
) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...KFP_APP_LABEL, ...OWNERSHIP_LABELS, ...labels },
    ...(annotations ? { annotations } : {}),
  };
}

/** Metadata for an object that is the kit's but not KFP's (cluster add-ons): ownership labels only. */
export function kitMeta(name: string, namespace: string | undefined, labels: Record<string, string> = {}, annotations?: Record<string, pulumi.Input<string>>) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    labels: { ...OWNERSHIP_LABELS, ...labels },
    ...(annotations ? { annotations } : {}),
  };
}
