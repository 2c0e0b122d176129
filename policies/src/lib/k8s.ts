// Where Kubernetes objects keep their pods, containers and YAML-in-ConfigMap settings.
import { parse } from "yaml";
import type { Props } from "./report";

export const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
export const PV = "kubernetes:core/v1:PersistentVolume";
export const HELM_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** Workload types and the path to their pod spec. */
const POD_SPEC: Record<string, (props: Props) => Props | undefined> = {
  "kubernetes:core/v1:Pod": (p) => p.spec,
  "kubernetes:apps/v1:Deployment": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:StatefulSet": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:DaemonSet": (p) => p.spec?.template?.spec,
  "kubernetes:apps/v1:ReplicaSet": (p) => p.spec?.template?.spec,
  "kubernetes:batch/v1:Job": (p) => p.spec?.template?.spec,
  "kubernetes:batch/v1:CronJob": (p) => p.spec?.jobTemplate?.spec?.template?.spec,
};
export const WORKLOAD_TYPES = Object.keys(POD_SPEC);

export function podSpecOf(type: string, props: Props): Props | undefined {
  return POD_SPEC[type]?.(props);
}

export interface ContainerAt {
  container: Props;
  /** `container api-server`, `init container create-bucket`. */
  label: string;
}

export function containersOf(spec: Props): ContainerAt[] {
  const list = (items: unknown, label: string) =>
    (Array.isArray(items) ? items : []).map((container: Props) => ({ container, label: `${label} ${container?.name ?? "?"}` }));
  return [...list(spec.initContainers, "init container"), ...list(spec.containers, "container")];
}

export { CONTROLLER_CONFIG as ARGO_CONFIGMAP, LAUNCHER_CONFIG as KFP_LAUNCHER_CONFIGMAP } from "../../../modules/foundation/names";

export function isConfigMap(type: string, props: Props, name: string): boolean {
  return type === CONFIG_MAP && props.metadata?.name === name;
}

/** A ConfigMap value parsed as YAML when it holds a mapping; undefined otherwise. */
export function yamlValue(text: unknown): Props | undefined {
  if (typeof text !== "string" || !/^\s*[\w.-]+:(\s|$)/m.test(text)) return undefined;
  try {
    const value = parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

export function labelsOf(props: Props): Record<string, unknown> {
  return props.metadata?.labels ?? {};
}
