// Jobs and CronJobs that run one of the kit's scripts from a ConfigMap (the database bootstrap, the index
// Job, run retention, backups): the pod meets the restricted Pod Security level, mounts its scripts
// read-only and runs one container with a read-only root file system.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "./workload";
import { SYSTEM_POOL_TOLERATIONS } from "./placement";

type EnvVar = k8s.types.input.core.v1.EnvVar;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

/** What a scheduled maintenance Job does when it is late or still running: one at a time, caught up within the hour, the last three kept. */
export const CRON_JOB_DEFAULTS = {
  timeZone: "Etc/UTC",
  concurrencyPolicy: "Forbid",
  startingDeadlineSeconds: 3600,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
} as const;

export interface ScriptPodArgs {
  readonly container: string;
  readonly image: string;
  /** The interpreter and the script's path under `scriptDir`, e.g. ["/bin/sh", "run.sh"]. */
  readonly command: readonly [interpreter: string, script: string];
  /** The ConfigMap holding the script, mounted at `scriptDir`. */
  readonly scripts: pulumi.Input<string>;
  readonly scriptDir: string;
  readonly env: EnvVar[];
  readonly resources: ContainerResources;
  /** The image's own non-root user (the MySQL image's mysql, node:alpine's node). */
  readonly runAs: { readonly user: number; readonly group: number };
  readonly serviceAccountName?: pulumi.Input<string>;
  /** Further volumes and their mounts (a projected token). */
  readonly volumes?: { readonly volume: Volume; readonly mount: VolumeMount }[];
}

/** The pod spec of a Job that runs `command` once, restricted, without the ServiceAccount's API token. */
export function scriptPod(args: ScriptPodArgs): k8s.types.input.core.v1.PodSpec {
  const extra = args.volumes ?? [];
  return {
    ...(args.serviceAccountName ? { serviceAccountName: args.serviceAccountName } : {}),
    restartPolicy: "Never",
    automountServiceAccountToken: false,
    tolerations: SYSTEM_POOL_TOLERATIONS,
    securityContext: { runAsNonRoot: true, runAsUser: args.runAs.user, runAsGroup: args.runAs.group, seccompProfile: { type: "RuntimeDefault" } },
    volumes: [{ name: "scripts", configMap: { name: args.scripts, defaultMode: 0o555 } }, ...extra.map((v) => v.volume)],
    containers: [
      {
        name: args.container,
        image: args.image,
        imagePullPolicy: "IfNotPresent",
        command: [args.command[0], `${args.scriptDir}/${args.command[1]}`],
        env: args.env,
        resources: args.resources,
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
        volumeMounts: [{ name: "scripts", mountPath: args.scriptDir, readOnly: true }, ...extra.map((v) => v.mount)],
      },
    ],
  };
}
