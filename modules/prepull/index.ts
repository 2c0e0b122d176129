// Pre-pull DaemonSets: keep the images every pipeline step starts (KFP's driver and launcher, Argo's
// executor) and the base images a stack declares on every node, so a step scheduled on a node that just
// scaled up does not wait for them. One DaemonSet per pool kind: CPU nodes (untainted) and GPU pools
// (their affinity and tolerations, so CUDA images land only there). Each image runs as an init
// container that executes a static busybox copied in through an emptyDir, so images without a shell
// (distroless) work too; then a tiny container sleeps so the pod, and the images' references, stay.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuPool } from "../foundation/contract";
import type { ContainerResources } from "../k8s/workload";
import { gpuPoolAffinity, gpuPoolTolerations } from "../gpu/daemons";
import type { ImageResolver } from "../images";
import { kitMeta } from "../k8s/metadata";
import { RUNTIME_DEFAULT_SECCOMP } from "../k8s/workload";

export const PREPULL_NAME = "image-prepull";

/** Runs nothing but `true` or `sleep`: the least a container may ask for. */
const TINY: ContainerResources = { requests: { cpu: "1m", memory: "8Mi" }, limits: { memory: "32Mi" } };
/** Restricted Pod Security: any image, run as nobody (busybox needs no user of its own). */
const SECURITY = { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 };
const TOOLS = { name: "prepull-tools", mountPath: "/prepull" };

export interface ImagePrepullArgs {
  readonly namespace: string;
  readonly images: ImageResolver;
  /** Base images for steps on CPU nodes and on GPU pools (exact references; images-pinned judges them). */
  readonly declared: { readonly cpu: readonly string[]; readonly gpu: readonly string[] };
  readonly gpuPools: readonly GpuPool[];
  readonly provider: k8s.Provider;
  readonly dependsOn: pulumi.Resource[];
}

export class ImagePrepull extends pulumi.ComponentResource {
  /** The images each DaemonSet keeps, by pool kind. */
  readonly held: Record<"cpu" | "gpu", string[]> = { cpu: [], gpu: [] };

  constructor(name: string, args: ImagePrepullArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:images:ImagePrepull", name, {}, opts);
    const stepImages = [args.images.ref("kfpDriver"), args.images.ref("kfpLauncher"), args.images.ref("argoExec")];
    const child = { parent: this, provider: args.provider, dependsOn: args.dependsOn };
    this.held.cpu = unique([...stepImages, ...args.declared.cpu]);
    prepullDaemonSet(`${name}-cpu`, `${PREPULL_NAME}-cpu`, args, this.held.cpu, {}, child);
    if (args.gpuPools.length > 0) {
      this.held.gpu = unique([...stepImages, ...args.declared.gpu]);
      prepullDaemonSet(`${name}-gpu`, `${PREPULL_NAME}-gpu`, args, this.held.gpu, { affinity: gpuPoolAffinity(args.gpuPools), tolerations: gpuPoolTolerations(args.gpuPools) }, child);
    }
    this.registerOutputs({ held: this.held });
  }
}

const unique = (refs: string[]) => [...new Set(refs)];

function prepullDaemonSet(
  resourceName: string,
  name: string,
  args: ImagePrepullArgs,
  refs: string[],
  placement: Pick<k8s.types.input.core.v1.PodSpec, "affinity" | "tolerations">,
  opts: pulumi.CustomResourceOptions,
): k8s.apps.v1.DaemonSet {
  const labels = { "app.kubernetes.io/name": name };
  const busybox = args.images.ref("prepullTools");
  const container = (n: string, image: string, command: string[]) => ({ name: n, image, command, imagePullPolicy: "IfNotPresent", resources: TINY, securityContext: SECURITY, volumeMounts: [TOOLS] });
  return new k8s.apps.v1.DaemonSet(
    resourceName,
    {
      metadata: kitMeta(name, args.namespace, labels),
      spec: {
        selector: { matchLabels: labels },
        // Nodes come and go with the autoscaler; a rollout may take its time.
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%" } },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: RUNTIME_DEFAULT_SECCOMP,
            terminationGracePeriodSeconds: 1,
            initContainers: [
              container("tools", busybox, ["/bin/cp", "/bin/busybox", "/prepull/busybox"]),
              ...refs.map((image, i) => container(`image-${i}`, image, ["/prepull/busybox", "true"])),
            ],
            containers: [container("hold", busybox, ["/bin/sleep", "2147483647"])],
            volumes: [{ name: TOOLS.name, emptyDir: { sizeLimit: "16Mi" } }],
            ...placement,
          },
        },
      },
    },
    opts,
  );
}
