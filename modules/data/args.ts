import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";

/** What every in-cluster data service takes. */
export interface DataServiceArgs {
  /** Namespace to run in (upstream: `kubeflow`). */
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  readonly storageSize: string;
  /** StorageClass for the data volume; unset uses the cluster default. */
  readonly storageClass?: string;
  readonly resources: ContainerResources;
  /** Protect the data volume from `pulumi destroy` and replacement. */
  readonly protectData: boolean;
  /** Resources every child waits for (the namespace): a component's own dependsOn does not reach its children. */
  readonly dependsOn?: pulumi.Resource[];
}
