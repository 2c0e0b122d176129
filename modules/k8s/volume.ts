// A ReadWriteOnce data volume, the one shape every stateful in-cluster service of the kit uses.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "./metadata";

export interface DataVolumeArgs {
  /** Object name (upstream's, e.g. `mysql-pv-claim`). */
  readonly name: string;
  readonly namespace: string;
  readonly size: string;
  /** StorageClass; unset uses the cluster default. */
  readonly storageClass?: string;
  /** Protect from deletion: losing this claim loses the data. */
  readonly protect: boolean;
  readonly opts: pulumi.CustomResourceOptions;
}

export function persistentVolumeClaim(resourceName: string, args: DataVolumeArgs): k8s.core.v1.PersistentVolumeClaim {
  return new k8s.core.v1.PersistentVolumeClaim(
    resourceName,
    {
      // skipAwait: with a WaitForFirstConsumer StorageClass the claim binds only once its pod exists;
      // the Deployment's own readiness wait covers it.
      metadata: objectMeta(args.name, args.namespace, {}, { "pulumi.com/skipAwait": "true" }),
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: args.size } },
        ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
      },
    },
    { ...args.opts, protect: args.protect },
  );
}
