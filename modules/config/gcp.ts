// The GCP part of the one stack schema: a GKE Standard cluster on a release channel, pinned to one GKE
// build that the channel offers and held there by a maintenance exclusion, its network, and node pools;
// GPU pools carry GCP's machine and accelerator pairs and their zones, and their driver comes from the GPU
// Operator (gpu.operator.driverVersion). Each rule below is one the GKE API enforces, with its source
// (docs/gcp.md lists them).
import { z } from "zod";
import { gceGpu } from "../facts/gce-machine-types";
import { cidr, overlaps } from "./cidr";
import { gceMachineTypeProblem, gcpRegionProblem, gcpZoneProblem } from "../facts/offerings";
import { cudaVersion } from "./gpu";
import { gke } from "../versions";

const CHANNELS = ["regular", "extended", "stable", "rapid"] as const;
const DAY_MS = 24 * 3600 * 1000;
/** The kit's own maintenance exclusion (modules/cloud/gcp/cluster.ts); a stack's own may not take its name. */
export const HOLD_EXCLUSION = "kfp-platform-hold";

const count = (min: number, description: string) => z.number().int().min(min).describe(description);
const zone = z.string().regex(/^[a-z]+-[a-z]+\d+-[a-z]$/, 'expected a Compute Engine zone such as "europe-west4-a"');
const poolName = z.string().regex(/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/, "expected a short name: lowercase letters, digits and '-', at most 20, starting with a letter");
const machineType = z
  .string()
  .regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, 'expected a Compute Engine machine type such as "e2-standard-8"')
  .superRefine((type, ctx) => {
    const problem = gceMachineTypeProblem(type);
    if (problem) ctx.addIssue({ code: "custom", input: type, message: problem });
  });

const poolShape = {
  machineType,
  minNodes: count(0, "Fewest nodes in the pool, all zones together; 0 lets the autoscaler scale it to zero.").default(0),
  maxNodes: count(1, "Most nodes in the pool, all zones together.").default(3),
  diskGb: count(20, "Boot disk size in GB (pd-balanced).").default(100),
  spot: z.boolean().default(false).describe("Spot VMs (cheaper, may be preempted)."),
  labels: z.record(z.string(), z.string()).default({}).describe("Extra Kubernetes node labels."),
};
const sizeRule = (p: { minNodes: number; maxNodes: number }, ctx: z.RefinementCtx) => {
  if (p.minNodes > p.maxNodes) ctx.addIssue({ code: "custom", path: ["minNodes"], input: p.minNodes, message: `must not exceed maxNodes (${p.maxNodes})` });
};

const gpuPool = z
  .strictObject({
    ...poolShape,
    accelerator: z
      .strictObject({
        type: z.string().regex(/^nvidia-[a-z0-9-]+$/, 'expected a GCP accelerator type such as "nvidia-l4"').describe("GPU model as Compute Engine names it."),
        count: count(1, "GPUs per node."),
      })
      .describe("The GPUs each node carries; must match the machine type (g2: L4, a2: A100, a3: H100; n1: T4, V100, P4, P100)."),
    cuda: cudaVersion.describe("Newest CUDA toolkit the pool's pipelines use; checked against the pinned driver (gpu.operator.driverVersion) and the GPU architecture."),
    zones: z
      .array(zone)
      .min(1)
      .describe(
        "Zones of the cluster's region that offer the accelerator (`gcloud compute accelerator-types list --filter=\"name=<type> AND zone~<region>\"`): GPUs exist only in some zones, and a pool placed in a zone without its accelerator fails to create (GoogleCloudPlatform/kubernetes-engine-samples#1738).",
      ),
  })
  .superRefine((p, ctx) => {
    sizeRule(p, ctx);
    const { problem } = gceGpu(p.machineType, p.accelerator);
    if (problem) ctx.addIssue({ code: "custom", path: ["accelerator"], input: p.accelerator, message: problem });
  });

export const gcpCluster = z
  .strictObject({
    target: z.literal("gcp").describe("GKE Standard on Google Cloud, built by the kit in an existing project."),
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, 'expected a GCP project id such as "acme-ml-prod"').describe("The project everything is created in."),
    region: z
      .string()
      .regex(/^[a-z]+-[a-z]+\d+$/, 'expected a GCP region such as "europe-west4"')
      .superRefine((region, ctx) => {
        const problem = gcpRegionProblem(region);
        if (problem) ctx.addIssue({ code: "custom", input: region, message: problem });
      })
      .describe("Region of the regional cluster, its network and the data services."),
    name: z.string().regex(/^[a-z]([-a-z0-9]{0,30}[a-z0-9])?$/, "expected 1-32 lowercase letters, digits or '-', starting with a letter").describe("GKE cluster name; node pools, service accounts and the network derive from it."),
    gkeVersion: z
      .string()
      .regex(/^\d+\.\d+\.\d+-gke\.\d+$/, `expected an exact GKE build such as "${gke.version}"`)
      .default(gke.version)
      .describe(
        "GKE build of the control plane at creation and of every node pool (modules/versions.ts). The kit's maintenance exclusion holds the minor and the nodes until end of support; GKE may still patch the control plane within the minor. Raising it here upgrades deliberately.",
      ),
    releaseChannel: z
      .enum(CHANNELS, {
        error: (issue) =>
          issue.input === "none"
            ? "GKE no longer creates clusters on No channel (GKE release notes, 2026-08-21; existing ones are moved to Stable on 2027-06-14); choose regular or extended: the kit holds versions with a maintenance exclusion instead"
            : undefined,
      })
      .default(gke.defaultChannel)
      .describe(
        `GKE release channel. Versions stay held either way (a NO_MINOR_OR_NODE_UPGRADES exclusion until end of support); extended holds the minor about 10 months longer (1.35: to ${gke.endOfExtendedSupport} instead of ${gke.endOfStandardSupport}) at an extra fee during extended support. The pinned build must be one the channel offers.`,
      ),
    network: z
      .strictObject({
        nodesCidr: cidr({ min: 8, max: 29 }).default("10.10.0.0/20").describe("Primary range of the subnetwork (nodes)."),
        podsCidr: cidr({ min: 9, max: 24 }).default("10.16.0.0/14").describe("Secondary range for pods (VPC-native)."),
        servicesCidr: cidr({ min: 16, max: 27 }).default("10.20.0.0/20").describe("Secondary range for Services."),
        masterCidr: cidr({ min: 28, max: 28, why: "GKE's private control plane takes exactly a /28" }).default("172.16.0.0/28").describe("/28 for the private control plane's endpoint peering."),
        privateServicesCidr: cidr({ min: 16, max: 24, why: "Cloud SQL's private services access takes a /24 or larger" })
          .default("10.24.0.0/16")
          .describe("Range reserved for private services access (Cloud SQL's private IP), named explicitly so it can never land on a range the subnetwork is about to take."),
      })
      .prefault({})
      .describe("The VPC network, subnetwork and Cloud NAT the kit creates (nodes have private IPs only); with existingNetwork only masterCidr and privateServicesCidr apply. No two ranges may overlap."),
    existingNetwork: z
      .strictObject({
        network: z.string().regex(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/global\/networks\/[a-z]([-a-z0-9]*[a-z0-9])?$/, 'expected a network id such as "projects/acme-net/global/networks/shared"').describe("The VPC network (its id; a Shared VPC's host project works)."),
        subnetwork: z
          .string()
          .regex(/^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/regions\/[a-z]+-[a-z]+\d+\/subnetworks\/[a-z]([-a-z0-9]*[a-z0-9])?$/, 'expected a subnetwork id such as "projects/acme-net/regions/europe-west4/subnetworks/ml"')
          .describe("The subnetwork in the cluster's region; it needs secondary ranges for pods and Services, and a NAT route to the internet."),
        podsRangeName: z.string().min(1).describe("Name of the subnetwork's secondary range for pods."),
        servicesRangeName: z.string().min(1).describe("Name of the subnetwork's secondary range for Services."),
      })
      .optional()
      .describe("A network that already exists (your platform team's): the kit then creates no network, subnetwork, router or NAT."),
    imageCaches: z
      .strictObject({ enabled: z.boolean().default(true).describe("Pull every image through Artifact Registry remote repositories in the project (docs/images.md).") })
      .prefault({})
      .describe("Registry caches in the project's Artifact Registry."),
    masterAuthorizedCidrs: z.array(cidr()).min(1).default(["0.0.0.0/0"]).describe("Where the control plane's public endpoint answers from; narrow it to your offices and CI."),
    maintenanceExclusion: z
      .strictObject({
        name: z.string().regex(/^[a-z0-9-]{1,63}$/),
        startTime: z.iso.datetime({ offset: true }).describe("RFC 3339 start."),
        endTime: z.iso.datetime({ offset: true }).describe("RFC 3339 end; at most 30 days after the start (GKE's limit for NO_UPGRADES)."),
      })
      .optional()
      .describe(
        "A NO_UPGRADES exclusion beside the kit's hold, e.g. over a training campaign: it stops control-plane patches too. GKE allows at most 30 days, needs 48 hours of maintenance in any 32 days, and still upgrades a version that reaches end of support.",
      ),
    systemPool: z
      .strictObject({ ...poolShape, machineType: machineType.default("e2-standard-4"), minNodes: poolShape.minNodes.default(1), maxNodes: poolShape.maxNodes.default(3) })
      .superRefine(sizeRule)
      .prefault({})
      .describe("On-demand pool for KFP's control plane and the cluster's add-ons."),
    cpuPools: z
      .record(poolName, z.strictObject(poolShape).superRefine(sizeRule))
      .default({})
      .describe("CPU pools for pipeline steps, by name."),
    gpuPools: z
      .record(poolName, gpuPool)
      .default({})
      .describe("GPU pools (Ubuntu, tainted nvidia.com/gpu=present:NoSchedule, GKE's driver installation off, the GPU Operator's pinned driver), by name."),
  })
  .superRefine((c, ctx) => {
    const offered: readonly string[] = gke.channels;
    if (c.gkeVersion === gke.version && !offered.includes(c.releaseChannel)) {
      ctx.addIssue({
        code: "custom",
        path: ["releaseChannel"],
        input: c.releaseChannel,
        message: `does not offer the kit's GKE build ${gke.version} (GKE release notes 2026-10-08 list it on ${offered.join(" and ")}); choose ${offered.join(" or ")}, or set gkeVersion to a build \`gcloud container get-server-config\` lists under that channel`,
      });
    }
    const exclusion = c.maintenanceExclusion;
    if (exclusion) {
      const days = (Date.parse(exclusion.endTime) - Date.parse(exclusion.startTime)) / DAY_MS;
      if (!(days > 0 && days <= 30)) {
        ctx.addIssue({ code: "custom", path: ["maintenanceExclusion", "endTime"], input: exclusion.endTime, message: `must be after startTime and at most 30 days later (it is ${days.toFixed(1)} days): GKE caps a NO_UPGRADES exclusion at 30 days; minor and node upgrades are already held until end of support` });
      }
      if (exclusion.name === HOLD_EXCLUSION) ctx.addIssue({ code: "custom", path: ["maintenanceExclusion", "name"], input: exclusion.name, message: "is the kit's own exclusion's name; choose another" });
    }
    for (const [poolName, pool] of Object.entries(c.gpuPools)) {
      pool.zones.forEach((z, i, zones) => {
        const path = ["gpuPools", poolName, "zones", i];
        if (zones.indexOf(z) < i) return void ctx.addIssue({ code: "custom", path, input: z, message: "is listed twice; list each zone of the pool once" });
        const problem = gcpZoneProblem(z, c.region);
        if (problem) ctx.addIssue({ code: "custom", path, input: z, message: problem });
      });
    }
    const ranges: [string, string][] = [
      ...(c.existingNetwork ? [] : (["nodesCidr", "podsCidr", "servicesCidr"] as const).map((k): [string, string] => [k, c.network[k]])),
      ["masterCidr", c.network.masterCidr],
      ["privateServicesCidr", c.network.privateServicesCidr],
    ];
    ranges.forEach(([key, range], i) => {
      for (const [other, otherRange] of ranges.slice(0, i)) {
        if (overlaps(range, otherRange)) ctx.addIssue({ code: "custom", path: ["network", key], input: range, message: `overlaps network.${other} (${otherRange}); every range must be its own` });
      }
    });
    for (const [kind, pools] of [["cpuPools", c.cpuPools], ["gpuPools", c.gpuPools]] as const) {
      for (const poolName of Object.keys(pools)) {
        if (poolName === "system" || (kind === "gpuPools" && poolName in c.cpuPools)) {
          ctx.addIssue({ code: "custom", path: [kind, poolName], input: poolName, message: "is already a node pool's name (system, or a CPU pool); GKE pool names are unique per cluster" });
        }
      }
    }
    if (c.existingNetwork && !c.existingNetwork.subnetwork.includes(`/regions/${c.region}/`)) {
      ctx.addIssue({ code: "custom", path: ["existingNetwork", "subnetwork"], input: c.existingNetwork.subnetwork, message: `is not in the cluster's region ${c.region}` });
    }
    if (!c.gkeVersion.startsWith(gke.version.split(".").slice(0, 2).join(".") + ".")) {
      ctx.addIssue({ code: "custom", path: ["gkeVersion"], input: c.gkeVersion, message: `is another Kubernetes minor than the kit is built for (${gke.version})` });
    }
  })
  .describe("Where the platform runs.");

export const gcsObjectStore = z.strictObject({
  kind: z.literal("gcs").describe("A GCS bucket the kit creates in the cluster's region (gcp target): pipelines and the UI reach it with Workload Identity, the API server and Argo's logs through GCS's S3 interoperability with one HMAC key."),
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, "expected a GCS bucket name: 3-63 lowercase letters, digits, '-' or '_' (no dots: they need domain verification)")
    .refine((b) => !b.startsWith("goog") && !b.includes("google"), "GCS refuses bucket names that start with goog or contain google")
    .describe("Bucket name; GCS names are global, so make it unique to you."),
  lifecycle: z
    .strictObject({
      noncurrentVersionDays: count(1, "Days an overwritten or deleted object's old version is kept.").default(30),
      expireArtifactsDays: count(1, "Days after which artifacts and logs expire; unset keeps them.").optional(),
    })
    .prefault({})
    .describe("Bucket lifecycle rules."),
});

export const cloudSqlDatabase = z.strictObject({
  kind: z.literal("cloudsql").describe("Cloud SQL for MySQL with a private IP in the cluster's network (gcp target), reached through the Cloud SQL Auth Proxy behind Service `mysql`."),
  tier: z.string().regex(/^db-(custom-\d+-\d+|[a-z0-9-]+)$/, 'expected a Cloud SQL tier such as "db-custom-2-7680"').default("db-custom-2-7680").describe("Machine tier (Enterprise edition)."),
  diskGb: count(10, "Initial disk size in GB (grows automatically).").default(50),
  highAvailability: z.boolean().optional().describe("A regional instance with a standby in another zone; default true in prod (required there)."),
  backupRetentionDays: z.number().int().min(1).max(365).optional().describe("Daily backups kept, with binary logs for point-in-time recovery; default 14 in prod (at least 14 there), 7 elsewhere."),
});
