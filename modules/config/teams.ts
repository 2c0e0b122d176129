// Teams of the one stack schema: each gets its own namespace with RBAC, quota, limit range and network
// fences (modules/tenancy). The lock-out guards live here, so a stack that would leave a team without an
// administrator, or two teams in one namespace, never reaches a cluster.
import { z } from "zod";
import { gpuInstanceType } from "../facts/aws-instance-types";
import { stepDefaults } from "./kfp";
import { cpuQuantity, memoryQuantity, storageQuantity } from "./quantities";

const teamName = z
  .string()
  .regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, "expected a DNS label of at most 40: lowercase letters, digits and '-', starting with a letter");
/** Kubernetes user and group names as identity providers spell them; `system:` names are the cluster's own. */
const subject = (what: string) =>
  z
    .string()
    .regex(/^[^\s]+$/, `expected a ${what} name without spaces`)
    .refine((s) => !s.startsWith("system:"), `system: ${what}s belong to Kubernetes itself`);
const iamRoleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "expected an IAM role ARN such as arn:aws:iam::123456789012:role/team-vision");

export const team = z.strictObject({
  name: teamName.describe("Team name: also its namespace and the value of the kfp-platform/team label."),
  groups: z.array(subject("group")).default([]).describe("Kubernetes groups (from your identity provider) whose members administer the team's namespace (ClusterRole admin)."),
  admins: z.array(subject("user")).default([]).describe("Users who administer the team's namespace (ClusterRole admin)."),
  members: z.array(subject("user")).default([]).describe("Users who work in the namespace (ClusterRole edit)."),
  viewers: z.array(subject("user")).default([]).describe("Users who may read the namespace (ClusterRole view)."),
  awsPrincipals: z
    .array(iamRoleArn)
    .default([])
    .describe("aws target: IAM roles mapped by EKS access entries to the group kfp-team:<name>, which administers the namespace."),
  quota: z
    .strictObject({
      cpu: cpuQuantity.default("16").describe("Total CPU requests."),
      memory: memoryQuantity.default("64Gi").describe("Total memory requests."),
      gpu: z.number().int().min(0).default(0).describe("Total nvidia.com/gpu requests."),
      pods: z.number().int().min(1).default(100).describe("Most pods at once (pipeline steps and drivers count)."),
      storage: storageQuantity.default("500Gi").describe("Total persistent volume storage requested."),
      pvcs: z.number().int().min(0).default(20).describe("Most PersistentVolumeClaims."),
    })
    .prefault({})
    .describe("The team's ResourceQuota (requests only: KFP steps set no memory limit by default, and a limits quota would refuse them)."),
  stepDefaults: stepDefaults
    .optional()
    .describe("Requests a container in the namespace gets when it sets none (LimitRange); unset uses kfp.stepDefaults. Quotas count requests, so every container needs them."),
  podSecurity: z
    .enum(["baseline", "restricted"])
    .default("baseline")
    .describe("Pod Security level enforced in the namespace (warn and audit are always restricted). `restricted` only in single-user mode: KFP 2.14.0's step pods cannot meet it."),
  egress: z
    .strictObject({
      internet: z.boolean().default(true).describe("Allow egress anywhere; false leaves DNS, the platform, the namespace itself and HTTPS (object store and cloud APIs, which NetworkPolicy cannot name)."),
    })
    .prefault({})
    .describe("What the team's pods may reach."),
});

export type TeamConfig = z.output<typeof team>;

/**
 * Why no namespace where KFP 2.14.0 runs pipelines can enforce Pod Security `restricted`: its step pods'
 * kfp-launcher init container (backend/src/v2/compiler/argocompiler/container.go:471-485) and main
 * container (driver.go:310-319, the driver's podSpecPatch) set no securityContext, and neither Argo's
 * executor config (init and wait only) nor a pod securityContext (no allowPrivilegeEscalation or
 * capabilities there) reaches them. The plan's engine judges the step pods (engine/step-pods.ts).
 */
export const RESTRICTED_STEP_PODS =
  "KFP 2.14.0's step pods cannot meet restricted: their kfp-launcher init container and the step's main container set no securityContext, " +
  "and allowPrivilegeEscalation=false and capabilities.drop [ALL] exist only per container (Argo's executor config reaches only its init and wait containers), " +
  "so the API server would refuse every run's pods";

/** The Kubernetes group EKS access entries map a team's IAM roles (awsPrincipals) to. */
export const teamGroup = (team: string) => `kfp-team:${team}`;

export const platformAdmins = z
  .strictObject({
    groups: z.array(subject("group")).default([]).describe("Groups bound to cluster-admin (break-glass; listed in the plan summary)."),
    users: z.array(subject("user")).default([]).describe("Users bound to cluster-admin."),
  })
  .prefault({});

/** The cluster's own namespaces: the kit creates (and a destroy would delete) none of them. */
export const CLUSTER_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"] as const;
/** Namespaces of fixed name the kit creates beside the platform's (modules/gpu: the GPU daemons, the GPU Operator). */
export const KIT_NAMESPACES = ["kfp-platform-gpu", "gpu-operator"] as const;

/**
 * Namespaces a cluster distribution creates at start on the existing target: kind runs its default
 * StorageClass's provisioner (rancher/local-path-provisioner) in local-path-storage
 * (kubernetes-sigs/kind pkg/build/nodeimage/const_storage.go, defaultStorageManifest). A team of that name would
 * take the namespace over and delete it with the stack.
 */
export const DISTRIBUTION_NAMESPACES = ["local-path-storage"] as const;

/** Namespaces a team may not take: the cluster's own and the platform's. */
export function reservedNamespaces(platformNamespace: string, monitoringNamespace: string, target = "existing"): string[] {
  return [...CLUSTER_NAMESPACES, platformNamespace, `${platformNamespace}-db-bootstrap`, ...KIT_NAMESPACES, monitoringNamespace, ...(target === "existing" ? DISTRIBUTION_NAMESPACES : [])];
}

/** Kubernetes reserves the kube- prefix for its own namespaces ("Namespaces" concept page: avoid creating namespaces with the prefix kube-). */
const KUBE_PREFIX = "kube-";

/**
 * The platform namespace is a Namespace object the kit creates, labels for Pod Security and deletes with
 * the stack: never one of the cluster's, and never one the kit creates for something else (a second
 * Namespace object of the same name).
 */
export function checkPlatformNamespace(config: { platformNamespace: string; monitoring: { enabled: boolean; namespace: string } }, ctx: z.RefinementCtx): void {
  const ns = config.platformNamespace;
  const issue = (message: string) => ctx.addIssue({ code: "custom", path: ["platformNamespace"], input: ns, message });
  if ((CLUSTER_NAMESPACES as readonly string[]).includes(ns)) {
    issue(`is a namespace of the cluster itself (${CLUSTER_NAMESPACES.join(", ")}): the kit would take it over, relabel its Pod Security and delete it with the stack; keep kubeflow (the default)`);
  } else if ((KIT_NAMESPACES as readonly string[]).includes(ns)) {
    issue(`is the namespace the kit creates for its GPU daemons or the GPU Operator (${KIT_NAMESPACES.join(", ")}): two Namespace objects would share the name; keep kubeflow (the default)`);
  } else if (config.monitoring.enabled && ns === config.monitoring.namespace) {
    issue(`is also monitoring.namespace: the monitoring stack and the platform would each create Namespace ${ns}; keep kubeflow (the default), or move monitoring.namespace`);
  } else if (ns.startsWith(KUBE_PREFIX)) {
    issue(`starts with ${KUBE_PREFIX}, which Kubernetes reserves for its own namespaces; keep kubeflow (the default)`);
  }
  const monitoring = config.monitoring.namespace;
  if (config.monitoring.enabled && ((CLUSTER_NAMESPACES as readonly string[]).includes(monitoring) || (KIT_NAMESPACES as readonly string[]).includes(monitoring) || monitoring.startsWith(KUBE_PREFIX))) {
    ctx.addIssue({
      code: "custom",
      path: ["monitoring", "namespace"],
      input: monitoring,
      message: `is a namespace of the cluster itself or of the kit's GPU daemons (${[...CLUSTER_NAMESPACES, ...KIT_NAMESPACES].join(", ")}, or kube-*): the monitoring stack creates its namespace, relabels it privileged and deletes it with the stack; keep monitoring (the default)`,
    });
  }
}

type ClusterGpus = {
  gpuGroups?: Record<string, { instanceTypes: string[]; maxSize: number }>;
  gpuPools?: Record<string, { gpus?: number } | { maxNodes: number; accelerator: { count: number } }>;
};

/** The GPUs a stack's pools can hold at most: EKS groups' and GKE pools' most nodes x GPUs per node, existing pools' declared totals. */
export function gpuCapacity(cluster: ClusterGpus): number {
  const eks = Object.values(cluster.gpuGroups ?? {}).reduce((sum, g) => sum + g.maxSize * (gpuInstanceType(g.instanceTypes[0])?.gpus ?? 0), 0);
  const existing = Object.values(cluster.gpuPools ?? {}).reduce((sum, p) => sum + ("accelerator" in p ? p.maxNodes * p.accelerator.count : (p.gpus ?? 0)), 0);
  return eks + existing;
}

export function checkTeams(
  config: {
    teams: TeamConfig[];
    platformNamespace: string;
    monitoring: { namespace: string };
    allowGpuQuotaOvercommit: boolean;
    cluster: { target: string } & ClusterGpus;
    kfp: { mode: string };
  },
  ctx: z.RefinementCtx,
): void {
  const reserved = reservedNamespaces(config.platformNamespace, config.monitoring.namespace, config.cluster.target);
  const seen = new Set<string>();
  config.teams.forEach((t, i) => {
    if (seen.has(t.name)) ctx.addIssue({ code: "custom", path: ["teams", i, "name"], input: t.name, message: "is a second team with this name: two teams would share one namespace; rename one" });
    seen.add(t.name);
    if (reserved.includes(t.name)) ctx.addIssue({ code: "custom", path: ["teams", i, "name"], input: t.name, message: `is a namespace the cluster or the platform uses (${reserved.join(", ")}); choose another name` });
    else if (t.name.startsWith(KUBE_PREFIX)) ctx.addIssue({ code: "custom", path: ["teams", i, "name"], input: t.name, message: `starts with ${KUBE_PREFIX}, which Kubernetes reserves for its own namespaces; choose another name` });
    if (t.groups.length + t.admins.length + t.awsPrincipals.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["teams", i, "groups"],
        input: undefined,
        message: `team ${t.name} would have no administrator, and nobody could manage its namespace; give it at least one of groups, admins${config.cluster.target === "aws" ? " or awsPrincipals" : ""}`,
      });
    }
    if (t.podSecurity === "restricted" && config.kfp.mode === "multi-user") {
      ctx.addIssue({
        code: "custom",
        path: ["teams", i, "podSecurity"],
        input: t.podSecurity,
        message: `team ${t.name} runs its pipelines in its own namespace (kfp.mode multi-user), and ${RESTRICTED_STEP_PODS}; use baseline (the default; warn and audit stay restricted)`,
      });
    }
    // KFP 2.14.0 authorizes with a SubjectAccessReview that names the user alone, never groups
    // (backend/src/apiserver/resource/resource_manager.go:1868-1874), so group bindings (and EKS
    // access entries, which map to groups) give no KFP rights: a team of groups alone could not run.
    if (config.kfp.mode === "multi-user" && t.admins.length + t.members.length + t.viewers.length === 0) {
      const byGroup = t.groups.length > 0 ? "groups" : "awsPrincipals";
      ctx.addIssue({
        code: "custom",
        path: ["teams", i, byGroup],
        input: t[byGroup],
        message: `with kfp.mode multi-user, KFP's authorization sees users, never groups, so team ${t.name} would get no KFP access (no run, experiment or pipeline in its namespace); name its people in admins, members or viewers (the e-mail addresses your identity provider returns), beside or instead of ${byGroup}`,
      });
    }
    if (t.awsPrincipals.length > 0 && config.cluster.target !== "aws") {
      ctx.addIssue({ code: "custom", path: ["teams", i, "awsPrincipals"], input: t.awsPrincipals, message: "maps IAM roles through EKS access entries, which only the aws target has; use groups" });
    }
  });
  const capacity = gpuCapacity(config.cluster);
  const requested = config.teams.reduce((sum, t) => sum + t.quota.gpu, 0);
  if (requested > 0 && !config.allowGpuQuotaOvercommit && requested > capacity) {
    const i = config.teams.findIndex((t) => t.quota.gpu > 0);
    ctx.addIssue({
      code: "custom",
      path: ["teams", i, "quota", "gpu"],
      input: config.teams[i].quota.gpu,
      message: `the teams' GPU quotas add up to ${requested}, more than the ${capacity} GPUs the GPU pools can hold (maxSize x GPUs per node; existing pools' gpus); lower the quotas, grow the pools, or set allowGpuQuotaOvercommit`,
    });
  }
}
