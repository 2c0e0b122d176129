// Deployments and Services in upstream KFP's shape, for the control plane and the data services alike:
// selector = application-crd-id + the component's own label, the same labels on the pods.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta, selectorLabels } from "./metadata";
import { spreadOverZones, SYSTEM_POOL_TOLERATIONS } from "./placement";

/** Requests and limits of one container, as Kubernetes spells them. */
export interface ContainerResources {
  requests: { cpu: string; memory: string };
  limits: { cpu?: string; memory: string };
}

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;

/** Upstream's container hardening for KFP images (they run as uid 1000). */
export const KFP_CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsGroup: 0,
  runAsNonRoot: true,
  runAsUser: 1000,
};
export const RUNTIME_DEFAULT_SECCOMP = { seccompProfile: { type: "RuntimeDefault" } };

export interface WorkloadSpec {
  /** Init containers, each with its own resources. */
  readonly initContainers?: Container[];
  /** Deployment name (upstream's). */
  readonly name: string;
  /** The component's own selector label, e.g. `{ app: "ml-pipeline" }`. */
  readonly select: Record<string, string>;
  readonly container: Omit<Container, "resources">;
  readonly resources: ContainerResources;
  readonly replicas?: number;
  /**
   * With replicas >= 2: a PodDisruptionBudget allowing one pod down at a time, and the replicas spread
   * over zones and nodes. Never on one replica: its budget would block every node drain.
   */
  readonly highlyAvailable?: boolean;
  readonly recreate?: boolean;
  /** Upstream marks most control-plane pods evictable by the cluster autoscaler. */
  readonly safeToEvict?: boolean;
  readonly podLabels?: Record<string, string>;
  /** Pod annotations, e.g. a config checksum that rolls the pods when their config changes. */
  readonly podAnnotations?: Record<string, pulumi.Input<string>>;
  /** Labels of the Deployment object itself when upstream's differ from the selector. */
  readonly labels?: Record<string, string>;
  readonly pod?: Omit<PodSpec, "containers">;
}

export function kfpDeployment(resourceName: string, namespace: string, spec: WorkloadSpec, opts: pulumi.CustomResourceOptions): k8s.apps.v1.Deployment {
  const selector = selectorLabels(spec.select);
  const replicas = spec.replicas ?? 1;
  const ha = spec.highlyAvailable === true && replicas >= 2;
  const deployment = new k8s.apps.v1.Deployment(
    resourceName,
    {
      metadata: objectMeta(spec.name, namespace, spec.labels ?? spec.select),
      spec: {
        replicas,
        ...(spec.recreate ? { strategy: { type: "Recreate" } } : {}),
        selector: { matchLabels: selector },
        template: {
          metadata: {
            labels: { ...selector, ...spec.podLabels },
            ...(spec.safeToEvict || spec.podAnnotations
              ? { annotations: { ...(spec.safeToEvict ? { "cluster-autoscaler.kubernetes.io/safe-to-evict": "true" } : {}), ...spec.podAnnotations } }
              : {}),
          },
          spec: {
            securityContext: RUNTIME_DEFAULT_SECCOMP,
            ...(ha ? { topologySpreadConstraints: spreadOverZones(selector) } : {}),
            ...spec.pod,
            tolerations: [...SYSTEM_POOL_TOLERATIONS, ...(spec.pod?.tolerations as k8s.types.input.core.v1.Toleration[] | undefined ?? [])],
            ...(spec.initContainers ? { initContainers: spec.initContainers } : {}),
            containers: [{ ...spec.container, resources: spec.resources }],
          },
        },
      },
    },
    opts,
  );
  if (ha) {
    // One pod down at a time; a pod that is not Ready may always be evicted, so a crash-looping replica
    // never blocks a drain (policy/v1 unhealthyPodEvictionPolicy, GA in Kubernetes 1.31).
    new k8s.policy.v1.PodDisruptionBudget(
      `${resourceName}-pdb`,
      {
        metadata: objectMeta(spec.name, namespace, spec.labels ?? spec.select),
        spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: "AlwaysAllow", selector: { matchLabels: selector } },
      },
      { ...opts, dependsOn: undefined },
    );
  }
  return deployment;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
}

/** A ClusterIP Service selecting a component's pods, with upstream's name, ports and labels. */
export function kfpService(
  resourceName: string,
  namespace: string,
  name: string,
  select: Record<string, string>,
  ports: ServicePort[],
  opts: pulumi.CustomResourceOptions,
  extra: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    resourceName,
    {
      metadata: objectMeta(name, namespace, extra.labels ?? {}, extra.annotations),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(select),
        ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, targetPort: p.targetPort ?? p.port, protocol: "TCP" })),
      },
    },
    opts,
  );
}
