// EKS managed node groups: a system group for KFP's control plane and the cluster add-ons, CPU worker
// groups and GPU groups for pipeline steps. Every group pins its AMI type, Kubernetes version and AMI
// release (a change is a reviewed diff that rolls the nodes, never an automatic upgrade), requires
// IMDSv2 with a hop limit of 1 so pods cannot borrow the node role, and encrypts its gp3 root volume.
// GPU groups carry the nvidia.com/gpu taint and the labels and tags the Cluster Autoscaler needs to
// start a node from zero.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../../config/schema";
import { gpuInstanceType } from "../../facts/aws-instance-types";
import { eksDriverForRelease } from "../../facts/cuda";
import { gpuPool, POOL_LABEL } from "../../foundation/gpu-pools";
import type { GpuPool } from "../../foundation/contract";
import { managedPolicy, serviceTrust } from "./iam";
import { systemPoolTaints } from "../../k8s/placement";

type AwsClusterConfig = Extract<StackConfig["cluster"], { target: "aws" }>;
type GroupConfig = AwsClusterConfig["workerGroups"][string];
type GpuGroupConfig = AwsClusterConfig["gpuGroups"][string];

const EKS_EFFECT = { NoSchedule: "NO_SCHEDULE", NoExecute: "NO_EXECUTE", PreferNoSchedule: "PREFER_NO_SCHEDULE" } as const;
/** Tag prefix through which the Cluster Autoscaler learns a group's nodes before one exists. */
const NODE_TEMPLATE = "k8s.io/cluster-autoscaler/node-template";

export const AMI_TYPES = { cpu: "AL2023_x86_64_STANDARD", gpu: "AL2023_x86_64_NVIDIA" } as const;

export interface EksNodeGroupsArgs {
  readonly config: AwsClusterConfig;
  readonly clusterName: pulumi.Input<string>;
  readonly subnetIds: pulumi.Input<string>[];
  readonly provider: aws.Provider;
  /** What must exist before nodes join (the VPC CNI, or they never become Ready). */
  readonly dependsOn: pulumi.Resource[];
}

interface GroupSpec {
  readonly name: string;
  readonly amiType: string;
  readonly group: GroupConfig;
  readonly labels: Record<string, string>;
  readonly taints: GpuPool["taints"];
  /** GPUs per node, for the autoscaler's template. */
  readonly gpus?: number;
}

export class EksNodeGroups extends pulumi.ComponentResource {
  /** The system group: what the cluster's add-ons and KFP's control plane need before they can start. */
  readonly system: aws.eks.NodeGroup;
  readonly all: aws.eks.NodeGroup[];
  readonly gpuPools: GpuPool[];
  readonly roleArn: pulumi.Output<string>;
  readonly roleName: pulumi.Output<string>;

  constructor(name: string, args: EksNodeGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:aws:NodeGroups", name, {}, opts);
    const { config } = args;
    const child = { parent: this, provider: args.provider };

    const role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: serviceTrust("ec2.amazonaws.com"), description: `EKS nodes of ${config.name}` }, child);
    const rolePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
      (policy) => new aws.iam.RolePolicyAttachment(`${name}-role-${policy}`, { role: role.name, policyArn: managedPolicy(config.region, policy) }, child),
    );
    this.roleArn = role.arn;
    this.roleName = role.name;

    const gpuSpecs = Object.entries(config.gpuGroups).map(([pool, group]) => gpuSpec(pool, group));
    this.gpuPools = gpuSpecs.map((spec) => spec.pool);
    const specs: GroupSpec[] = [
      // Tainted for the control plane when steps have a CPU group to go to (modules/k8s/placement.ts).
      { name: "system", amiType: AMI_TYPES.cpu, group: config.systemNodes, labels: { ...config.systemNodes.labels, [POOL_LABEL]: "system" }, taints: systemPoolTaints(Object.keys(config.workerGroups).length) },
      ...Object.entries(config.workerGroups).map(([name, group]) => ({ name, amiType: AMI_TYPES.cpu, group, labels: { ...group.labels, [POOL_LABEL]: name }, taints: [] })),
      ...gpuSpecs,
    ];
    const groups = specs.map((spec) => this.nodeGroup(`${name}-${spec.name}`, spec, args, role, [...rolePolicies, ...args.dependsOn]));
    this.system = groups[0];
    this.all = groups;
    this.registerOutputs({ nodeGroups: groups.map((g) => g.nodeGroupName) });
  }

  private nodeGroup(name: string, spec: GroupSpec, args: EksNodeGroupsArgs, role: aws.iam.Role, dependsOn: pulumi.Resource[]): aws.eks.NodeGroup {
    const { config } = args;
    const child = { parent: this, provider: args.provider };
    const nodeName = `${config.name}-${spec.name}`;
    // No image id: the node group's amiType and releaseVersion choose the AMI. Disk size lives here,
    // not on the node group, whenever a launch template is used.
    const template = new aws.ec2.LaunchTemplate(
      name,
      {
        description: `Nodes of ${nodeName}: IMDSv2 only, hop limit 1, encrypted gp3 root volume`,
        updateDefaultVersion: true,
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { volumeSize: spec.group.diskGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
        ],
        tagSpecifications: [{ resourceType: "instance", tags: { Name: nodeName } }],
      },
      child,
    );
    const group = new aws.eks.NodeGroup(
      name,
      {
        clusterName: args.clusterName,
        nodeGroupName: nodeName,
        nodeRoleArn: role.arn,
        subnetIds: args.subnetIds,
        amiType: spec.amiType,
        version: config.kubernetesVersion,
        releaseVersion: spec.group.releaseVersion,
        capacityType: spec.group.capacity === "spot" ? "SPOT" : "ON_DEMAND",
        instanceTypes: spec.group.instanceTypes,
        scalingConfig: { minSize: spec.group.minSize, maxSize: spec.group.maxSize, desiredSize: spec.group.desiredSize },
        labels: spec.labels,
        // EKS needs a value on each taint, and the Cluster Autoscaler skips taints without one.
        taints: spec.taints.map((t) => ({ key: t.key, value: t.value, effect: EKS_EFFECT[t.effect] })),
        launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
        updateConfig: { maxUnavailablePercentage: 33 },
      },
      // The Cluster Autoscaler owns the node count after creation.
      { ...child, dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
    );
    if (spec.name !== "system") this.autoscalerTags(name, group, spec, config.name, child);
    return group;
  }

  /**
   * Tags on the group's Auto Scaling group (EKS does not copy node-group tags there): discovery by
   * this cluster's autoscaler, and the labels, taints and GPUs of a node that does not exist yet.
   * The autoscaler also reads labels and taints through eks:DescribeNodegroup; the tags cover GPUs.
   */
  private autoscalerTags(name: string, group: aws.eks.NodeGroup, spec: GroupSpec, clusterName: string, opts: pulumi.CustomResourceOptions) {
    // A managed node group has one Auto Scaling group.
    const asgName = group.resources.apply((r) => r[0].autoscalingGroups![0].name!);
    const tags: Record<string, string> = {
      "k8s.io/cluster-autoscaler/enabled": "true",
      [`k8s.io/cluster-autoscaler/${clusterName}`]: "owned",
      ...Object.fromEntries(Object.entries(spec.labels).map(([k, v]) => [`${NODE_TEMPLATE}/label/${k}`, v])),
      ...Object.fromEntries(spec.taints.map((t) => [`${NODE_TEMPLATE}/taint/${t.key}`, `${t.value}:${t.effect}`])),
      ...(spec.gpus ? { [`${NODE_TEMPLATE}/resources/nvidia.com/gpu`]: String(spec.gpus) } : {}),
    };
    for (const [key, value] of Object.entries(tags)) {
      new aws.autoscaling.Tag(`${name}-asg-${key.replace(/[^a-zA-Z0-9]+/g, "-")}`, { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } }, opts);
    }
  }
}

/** A GPU group: its pool as every target describes it (labels from the release's pinned driver) and its node group. */
function gpuSpec(name: string, group: GpuGroupConfig): GroupSpec & { pool: GpuPool } {
  const gpu = gpuInstanceType(group.instanceTypes[0])!;
  const pool = gpuPool({
    name,
    nodeSelector: { [POOL_LABEL]: name },
    driverVersion: eksDriverForRelease(group.releaseVersion)!,
    architectureMax: gpu.maxCuda,
    cuda: group.cuda,
    gpuModel: gpu.accelerator,
    capacity: group.capacity,
    driverSource: "node-image",
    labelsApplied: true,
    // Tells the Cluster Autoscaler a new node's GPUs are coming while the device plugin starts.
    extraLabels: { ...group.labels, "k8s.amazonaws.com/accelerator": gpu.accelerator },
  });
  return { name, amiType: AMI_TYPES.gpu, group, labels: pool.labels, taints: pool.taints, gpus: gpu.gpus, pool };
}
