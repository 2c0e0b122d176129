// GKE Standard, regional, private nodes, VPC-native, Dataplane V2 (so NetworkPolicies are enforced),
// Workload Identity, shielded nodes. On a release channel (GKE creates no cluster on No channel since
// 2026-08-21), created at one GKE build the channel offers, with every pool at that build: on a channel
// node auto-upgrade cannot be false (GKE REST ReleaseChannel: "Node auto-upgrade defaults to true and
// cannot be disabled"; the API answers "Auto_upgrade cannot be false when release_channel ... is set"), so
// a NO_MINOR_OR_NODE_UPGRADES maintenance exclusion until end of support holds the minor and every node
// (only control-plane patches pass). GPU pools run Ubuntu with GKE's driver installation disabled, for the
// GPU Operator's pinned driver (NVIDIA cloud-native-docs gpu-operator/google-gke.rst), in the zones that
// offer their accelerator.
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { HOLD_EXCLUSION } from "../../config/gcp";
import type { StackConfig } from "../../config/schema";
import { gke } from "../../versions";
import type { GpuPool } from "../../foundation/contract";
import { gceGpu } from "../../facts/gce-machine-types";
import { CAPACITY_LABEL, GPU_TAINT, gpuPool, POOL_LABEL, SPOT_TAINT } from "../../foundation/gpu-pools";
import { systemPoolTaints } from "../../k8s/placement";

type GcpClusterConfig = Extract<StackConfig["cluster"], { target: "gcp" }>;

/**
 * GKE taints GPU nodes `nvidia.com/gpu=present:NoSchedule` itself when the cluster has a non-GPU pool
 * (GKE GPU docs). The kit's own GPU taint takes that exact value on GKE, so the two are one taint, not two
 * with the same key and effect; tolerations match the key with `Exists`, whatever the value.
 */
const GKE_GPU_TAINT_VALUE = "present";

/** Label that keeps GKE's own device plugin off a node whose driver the GPU Operator installs. */
export const NO_GKE_DEVICE_PLUGIN = { "gke-no-default-nvidia-gpu-device-plugin": "true" } as const;

const NODE_SCOPES = ["https://www.googleapis.com/auth/cloud-platform"];
const EFFECTS = { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" } as const;

export interface GkeClusterArgs {
  readonly config: GcpClusterConfig;
  readonly network: pulumi.Input<string>;
  readonly subnetwork: pulumi.Input<string>;
  /** Secondary range names of the subnetwork: pods, Services. */
  readonly ranges: { readonly pods: string; readonly services: string };
  /** The GPU Operator's pinned driver (gpu.operator.driverVersion), which every GPU pool runs. */
  readonly operatorDriver?: string;
  readonly protect: boolean;
  readonly provider: gcp.Provider;
}

export class GkeCluster extends pulumi.ComponentResource {
  readonly cluster: gcp.container.Cluster;
  readonly pools: gcp.container.NodePool[];
  readonly gpuPools: GpuPool[];
  /** E-mail of the node service account (kubelet pulls images with it). */
  readonly nodeServiceAccount: pulumi.Output<string>;

  constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gcp:GkeCluster", name, {}, opts);
    const { config } = args;
    const child = { parent: this, provider: args.provider };
    const extra = config.maintenanceExclusion;

    // Nodes run as their own service account with GKE's minimal node role, not the Compute default
    // (which an organisation may have disabled or deleted: the create then fails).
    const accountId = `${config.name.slice(0, 23)}-nodes`;
    const nodeAccount = new gcp.serviceaccount.Account(`${name}-nodes`, { accountId, displayName: `GKE nodes of ${config.name}` }, child);
    this.nodeServiceAccount = nodeAccount.email;
    const nodeRole = new gcp.projects.IAMMember(
      `${name}-nodes-role`,
      { project: config.project, role: "roles/container.defaultNodeServiceAccount", member: pulumi.interpolate`serviceAccount:${nodeAccount.email}` },
      child,
    );

    this.cluster = new gcp.container.Cluster(
      name,
      {
        name: config.name,
        location: config.region,
        // Pools are managed one by one below; GKE still needs a first pool to create the cluster.
        removeDefaultNodePool: true,
        initialNodeCount: 1,
        // That first pool runs as the node account too, never as the Compute Engine default account.
        nodeConfig: { serviceAccount: nodeAccount.email, oauthScopes: NODE_SCOPES },
        network: args.network,
        subnetwork: args.subnetwork,
        networkingMode: "VPC_NATIVE",
        ipAllocationPolicy: { clusterSecondaryRangeName: args.ranges.pods, servicesSecondaryRangeName: args.ranges.services },
        privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false, masterIpv4CidrBlock: config.network.masterCidr },
        masterAuthorizedNetworksConfig: { cidrBlocks: config.masterAuthorizedCidrs.map((cidrBlock) => ({ cidrBlock })) },
        workloadIdentityConfig: { workloadPool: `${config.project}.svc.id.goog` },
        datapathProvider: "ADVANCED_DATAPATH",
        releaseChannel: { channel: config.releaseChannel.toUpperCase() },
        minMasterVersion: config.gkeVersion,
        enableShieldedNodes: true,
        deletionProtection: args.protect,
        addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true } },
        maintenancePolicy: {
          dailyMaintenanceWindow: { startTime: "03:00" },
          maintenanceExclusions: [
            // The hold: minor upgrades and every node upgrade wait until end of support, renewed when the
            // minor moves (one and only one of endTime and endTimeBehavior: @pulumi/gcp 9.37.0 ClusterMaintenancePolicyMaintenanceExclusion).
            { exclusionName: HOLD_EXCLUSION, startTime: gke.holdSince, exclusionOptions: { scope: "NO_MINOR_OR_NODE_UPGRADES", endTimeBehavior: "UNTIL_END_OF_SUPPORT" } },
            ...(extra ? [{ exclusionName: extra.name, startTime: extra.startTime, endTime: extra.endTime, exclusionOptions: { scope: "NO_UPGRADES" } }] : []),
          ],
        },
      },
      // nodeConfig describes only the pool GKE removes after creation: a later change must not replace the cluster.
      { ...child, protect: args.protect, dependsOn: [nodeRole], ignoreChanges: ["nodeConfig"] },
    );

    const pool = (
      poolName: string,
      spec: { machineType: string; minNodes: number; maxNodes: number; diskGb: number; spot: boolean; labels: Record<string, string> },
      gpu?: { pool: GpuPool; accelerator: { type: string; count: number }; zones: string[] },
    ) =>
      new gcp.container.NodePool(
        `${name}-${poolName}`,
        {
          name: poolName,
          cluster: this.cluster.name,
          location: config.region,
          version: config.gkeVersion,
          // The system pool spreads over the zones (KFP's control plane survives a zone) and starts with a
          // node per zone; worker pools take capacity wherever a zone has it (GPUs are often short in one).
          autoscaling: { totalMinNodeCount: spec.minNodes, totalMaxNodeCount: spec.maxNodes, locationPolicy: poolName === "system" ? "BALANCED" : "ANY" },
          ...(poolName === "system" ? { initialNodeCount: 1 } : {}),
          // Only the zones that offer the accelerator: elsewhere the pool's creation fails.
          ...(gpu ? { nodeLocations: gpu.zones } : {}),
          // GKE requires auto-upgrade on a channel; the cluster's exclusion keeps the nodes at `version`.
          management: { autoRepair: true, autoUpgrade: true },
          nodeConfig: {
            machineType: spec.machineType,
            // The GPU Operator builds its driver for Ubuntu only (COS is not supported for its driver container).
            imageType: gpu ? "UBUNTU_CONTAINERD" : "COS_CONTAINERD",
            diskSizeGb: spec.diskGb,
            diskType: "pd-balanced",
            spot: spec.spot,
            serviceAccount: nodeAccount.email,
            oauthScopes: NODE_SCOPES,
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            // Secure Boot refuses kernel modules it cannot verify, such as the driver the operator compiles.
            shieldedInstanceConfig: { enableSecureBoot: !gpu, enableIntegrityMonitoring: true },
            labels: gpu ? { ...gpu.pool.labels, ...NO_GKE_DEVICE_PLUGIN } : { ...spec.labels, [POOL_LABEL]: poolName, [CAPACITY_LABEL]: spec.spot ? "spot" : "on-demand" },
            taints: [
              ...(gpu ? gpu.pool.taints : spec.spot ? [{ ...SPOT_TAINT }] : []),
              // The system pool, for the control plane when steps have a CPU pool to go to (modules/k8s/placement.ts).
              ...(poolName === "system" ? systemPoolTaints(Object.keys(config.cpuPools).length) : []),
            ].map((t) => ({ key: t.key, value: t.value, effect: EFFECTS[t.effect] })),
            ...(gpu
              ? { guestAccelerators: [{ type: gpu.accelerator.type, count: gpu.accelerator.count, gpuDriverInstallationConfig: { gpuDriverVersion: "INSTALLATION_DISABLED" } }] }
              : {}),
          },
        },
        { ...child, dependsOn: [nodeRole] },
      );

    this.gpuPools = Object.entries(config.gpuPools).map(([poolName, p]) => {
      const pool = gpuPool({
        name: poolName,
        nodeSelector: { [POOL_LABEL]: poolName },
        driverVersion: args.operatorDriver!,
        architectureMax: gceGpu(p.machineType, p.accelerator).spec?.maxCuda,
        cuda: p.cuda,
        gpuModel: p.accelerator.type,
        capacity: p.spot ? "spot" : "on-demand",
        driverSource: "gpu-operator",
        labelsApplied: true,
        extraLabels: p.labels,
      });
      return { ...pool, taints: pool.taints.map((t) => (t.key === GPU_TAINT.key ? { ...t, value: GKE_GPU_TAINT_VALUE } : t)) };
    });
    this.pools = [
      pool("system", config.systemPool),
      ...Object.entries(config.cpuPools).map(([poolName, p]) => pool(poolName, p)),
      ...Object.entries(config.gpuPools).map(([poolName, p], i) => pool(poolName, p, { pool: this.gpuPools[i], accelerator: p.accelerator, zones: p.zones })),
    ];
    this.registerOutputs({ cluster: this.cluster.name, pools: this.pools.map((p) => p.name) });
  }
}
