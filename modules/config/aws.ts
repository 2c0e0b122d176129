// The AWS parts of the one stack schema: the EKS cluster with its network and node groups, the S3
// pipeline root and RDS MySQL. Cross-field rules that need the environment live in schema.ts.
import { z } from "zod";
import { cidr, overlaps, parseCidr } from "./cidr";
import { awsRegionProblem, awsZoneProblem, ec2TypeProblem, rdsClassProblem } from "../facts/offerings";
import { eksDriverForRelease, eksReleaseProblem, compareVersions, maxCudaForDriver } from "../facts/cuda";
import { gpuInstanceType, GPU_INSTANCE_FAMILIES } from "../facts/aws-instance-types";
import { cudaDriverFloors, eks, type EksAddon } from "../versions";
import { CREDENTIALED_UPSTREAMS, longestPrefix, MAX_PREFIX_LENGTH, NO_PULL_THROUGH_REGION } from "../facts/ecr";

const count = (min: number, description: string) => z.number().int().min(min).describe(description);

/** A problem the facts tables report for a value, as a zod refinement. */
const offered = (problem: (value: string) => string | undefined) => (value: string, ctx: z.core.$RefinementCtx<string>) => {
  const why = problem(value);
  if (why) ctx.addIssue({ code: "custom", input: value, message: why });
};

const awsRegion = (example: string) =>
  z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, `expected an AWS region such as "${example}"`).superRefine(offered(awsRegionProblem));

/**
 * An S3 general purpose bucket name as S3 takes it (S3 user guide, "General purpose bucket naming rules",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3-63 lowercase letters,
 * digits, '.' or '-', no reserved prefix or suffix; the kit also refuses dots (virtual-hosted TLS).
 */
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"] as const;
const S3_RESERVED_SUFFIXES = { "-s3alias": "access point aliases", "--ol-s3": "Object Lambda access point aliases", ".mrap": "Multi-Region Access Points", "--x-s3": "directory buckets", "--table-s3": "S3 table buckets" } as const;
export const s3BucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, "expected an S3 bucket name: 3-63 lowercase letters, digits or '-' (no dots: virtual-hosted TLS)")
  .superRefine((name, ctx) => {
    const prefix = S3_RESERVED_PREFIXES.find((p) => name.startsWith(p));
    const suffix = (Object.keys(S3_RESERVED_SUFFIXES) as (keyof typeof S3_RESERVED_SUFFIXES)[]).find((x) => name.endsWith(x));
    if (prefix) ctx.addIssue({ code: "custom", input: name, message: `starts with ${prefix}, a prefix S3 reserves (S3 bucket naming rules: ${S3_RESERVED_PREFIXES.join(", ")}); choose another name` });
    else if (suffix) ctx.addIssue({ code: "custom", input: name, message: `ends with ${suffix}, a suffix S3 reserves for ${S3_RESERVED_SUFFIXES[suffix]} (S3 bucket naming rules); choose another name` });
  });

const poolName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$/, "expected a short name: lowercase letters, digits and '-', at most 32");

/** What `aws sts get-caller-identity` prints for a role session: arn:aws:sts::<account>:assumed-role/<role>/<session>. */
const STS_SESSION = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;

const iamPrincipalArn = z.string().superRefine((arn, ctx) => {
  const session = STS_SESSION.exec(arn);
  if (session) {
    // EKS CreateAccessEntry: "You can't use the STS session principal type with access entries because
    // this is a temporary principal for each session" (EKS API reference, principalArn).
    const [, partition, account, role] = session;
    return void ctx.addIssue({
      code: "custom",
      input: arn,
      message: `is an STS session (what aws sts get-caller-identity prints), which EKS access entries refuse; name the role instead: arn:${partition}:iam::${account}:role/${role} (with its path, if it has one: aws iam get-role --role-name ${role} --query Role.Arn)`,
    });
  }
  if (!/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/.test(arn)) {
    ctx.addIssue({ code: "custom", input: arn, message: "expected an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins" });
  }
});


/** The retention values CloudWatch Logs accepts (PutRetentionPolicy, retentionInDays). */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** What every managed node group takes. */
const nodeGroupShape = {
  instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9-]+$/, 'expected an EC2 instance type such as "m6i.xlarge"').superRefine(offered(ec2TypeProblem))).min(1).describe("EC2 instance types, most preferred first (spot groups should list several)."),
  capacity: z.enum(["on-demand", "spot"]).default("on-demand").describe("On-demand or spot capacity."),
  minSize: count(0, "Fewest nodes; 0 lets the Cluster Autoscaler scale the group to zero.").default(0),
  maxSize: count(1, "Most nodes the Cluster Autoscaler may start.").default(3),
  desiredSize: count(0, "Nodes at creation; afterwards the Cluster Autoscaler owns the count (changes here are ignored).").default(0),
  diskGiB: count(20, "Root volume size in GiB (gp3, encrypted).").default(100),
  labels: z.record(z.string(), z.string()).default({}).describe("Extra Kubernetes node labels."),
};

const sizeRule = (g: { minSize: number; maxSize: number; desiredSize: number }, ctx: z.RefinementCtx) => {
  if (g.minSize > g.maxSize) ctx.addIssue({ code: "custom", path: ["minSize"], input: g.minSize, message: `must not exceed maxSize (${g.maxSize})` });
  else if (g.desiredSize < g.minSize || g.desiredSize > g.maxSize) {
    ctx.addIssue({ code: "custom", path: ["desiredSize"], input: g.desiredSize, message: `must be between minSize (${g.minSize}) and maxSize (${g.maxSize})` });
  }
};

const releaseVersion = z
  .string()
  .regex(/^\d+\.\d+\.\d+-\d{8}$/, 'expected an EKS AMI release version such as "1.35.6-20260714" (<Kubernetes patch>-<YYYYMMDD>)');

const amiReleaseOf = (what: string) =>
  releaseVersion.default(eks.amiRelease.version).describe(`AL2023 AMI release ${what} run (amazon-eks-ami CHANGELOG); a change rolls the nodes.`);

const cpuGroup = z
  .strictObject({
    ...nodeGroupShape,
    releaseVersion: amiReleaseOf("the group's nodes"),
  })
  .superRefine(sizeRule);

const gpuGroup = z
  .strictObject({
    ...nodeGroupShape,
    releaseVersion: releaseVersion.describe(
      "AL2023_x86_64_NVIDIA AMI release the nodes run; it fixes the NVIDIA driver (table in modules/facts/eks-nvidia-amis.ts). Required: a GPU pool never takes whatever AMI is newest.",
    ),
    cuda: z
      .enum(Object.keys(cudaDriverFloors) as [string, ...string[]])
      .describe("Newest CUDA toolkit the pool's pipelines use; checked against the release's driver and the GPU architecture."),
  })
  .superRefine((g, ctx) => {
    sizeRule(g, ctx);
    const types = g.instanceTypes.map((t) => ({ name: t, gpu: gpuInstanceType(t) }));
    types.forEach(({ name, gpu }, i) => {
      if (!gpu) {
        ctx.addIssue({
          code: "custom",
          path: ["instanceTypes", i],
          input: name,
          message: `is not an NVIDIA GPU instance type the AL2023_x86_64_NVIDIA AMI runs; families: ${Object.keys(GPU_INSTANCE_FAMILIES).join(", ")}`,
        });
      }
    });
    const counts = new Set(types.filter((t) => t.gpu).map((t) => t.gpu!.gpus));
    if (counts.size > 1) {
      ctx.addIssue({ code: "custom", path: ["instanceTypes"], input: g.instanceTypes, message: "mixes instance types with different GPU counts; the Cluster Autoscaler sizes a group from one template, so use one count per group" });
    }
    const driver = eksDriverForRelease(g.releaseVersion);
    if (!driver) {
      ctx.addIssue({
        code: "custom",
        path: ["releaseVersion"],
        input: g.releaseVersion,
        message: eksReleaseProblem(g.releaseVersion)!,
      });
      return;
    }
    const maxCuda = maxCudaForDriver(driver);
    if (!maxCuda || compareVersions(g.cuda, maxCuda) > 0) {
      ctx.addIssue({ code: "custom", path: ["cuda"], input: g.cuda, message: `AMI release ${g.releaseVersion} ships NVIDIA driver ${driver}, which runs CUDA up to ${maxCuda ?? "none in the table"}; pin a newer release or declare an older CUDA` });
    }
    for (const { name, gpu } of types) {
      if (gpu?.maxCuda && compareVersions(g.cuda, gpu.maxCuda) > 0) {
        ctx.addIssue({ code: "custom", path: ["cuda"], input: g.cuda, message: `${name} (${gpu.accelerator}) supports CUDA up to ${gpu.maxCuda}; declare ${gpu.maxCuda} or older for this group` });
      }
    }
  });

/** Secrets ECR reads for an upstream's login: the API's CredentialArn shape (name prefix ecr-pullthroughcache/). */
const pullThroughSecret = z
  .string()
  .regex(
    /^arn:aws(-[a-z]+)*:secretsmanager:[a-z0-9-]+:\d{12}:secret:ecr-pullthroughcache\/[a-zA-Z0-9/_+=.@-]+$/,
    'expected the ARN of a Secrets Manager secret named ecr-pullthroughcache/<name> (ECR reads no other name), such as "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf"',
  );

const imageCaches = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Create ECR pull-through cache rules for the registries the kit's images come from, and pull them through the cache."),
    prefix: z
      .string()
      .regex(/^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/, "expected lowercase letters, digits and single separators (an ECR repository prefix)")
      .optional()
      .describe("ECR repository prefix of this stack's caches and mirror copies; default the cluster name. Stacks in one account and region need different prefixes."),
    credentials: z
      .partialRecord(z.enum(CREDENTIALED_UPSTREAMS), pullThroughSecret)
      .default({})
      .describe(
        "Registries ECR caches only with a login (docker.io, ghcr.io): the ARN of a Secrets Manager secret `ecr-pullthroughcache/<name>` in this account and region, JSON keys `username` and `accessToken`, encrypted with the default aws/secretsmanager key. Without one, that registry's images are pulled directly.",
      ),
    mirrorUncached: z
      .boolean()
      .default(false)
      .describe("Pull images no rule caches (gcr.io, nvcr.io) from the ECR repositories the kit creates for them. Copy them first with the commands `npm run plan` prints (docs/images.md)."),
  })
  .prefault({})
  .describe("Registry caches in this account's ECR (docs/images.md).");

const network = z
  .strictObject({
    // EC2 takes a VPC of /16 to /28 (CreateVpc); the kit's public subnets are 6 prefix bits smaller
    // (modules/cloud/aws/network.ts), and EC2 subnets are at least a /28.
    vpcCidr: cidr({ min: 16, max: 22, why: "EC2 takes a VPC of /16 to /28, and the kit's public subnets, 6 bits smaller, must still be a /28" }).default("10.0.0.0/16").describe("CIDR of the VPC the kit creates; split into a public and a private subnet per zone."),
    availabilityZones: z
      .array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, 'expected an availability zone such as "eu-west-1a"'))
      .min(2)
      .max(3)
      .describe("Two or three zones of the region (EKS needs subnets in at least two)."),
    natGateways: z.enum(["one", "per-zone"]).optional().describe("NAT gateways for the private subnets; default per-zone in prod (no zone outage cuts egress), one elsewhere."),
  })
  .describe("The VPC the kit creates.");

const existingNetwork = z
  .strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, 'expected a VPC id such as "vpc-0abc123"').describe("The VPC of the subnets."),
    privateSubnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]+$/, "expected subnet ids")).min(2).describe("Private subnets (at least two zones) for nodes and the database; they need a NAT route and the tag kubernetes.io/role/internal-elb=1."),
    privateRouteTableIds: z
      .array(z.string().regex(/^rtb-[0-9a-f]+$/, "expected route table ids"))
      .min(1)
      .optional()
      .describe("Route tables of the private subnets: the kit adds an S3 gateway endpoint to them. Leave unset when the VPC has one."),
  })
  .describe("Subnets that already exist; the kit then creates no VPC, NAT or subnets (STS must be reachable from them: NAT or an sts endpoint).");

export const awsCluster = z
  .strictObject({
    target: z.literal("aws").describe("EKS on AWS, built by the kit from an empty region."),
    region: awsRegion("eu-west-1").describe("AWS region of everything the stack creates."),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'expected the 12-digit AWS account id, such as "123456789012"')
      .describe("The AWS account the stack deploys into; the provider refuses credentials of any other (a prod stack never lands in a dev account). Also the registry of the image caches."),
    name: z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, "expected 3-40 lowercase letters, digits or '-', starting with a letter").describe("Name of the EKS cluster; node groups, the database identifier and the kfp-platform/cluster tag on every AWS resource derive from it."),
    kubernetesVersion: z.literal(eks.kubernetesVersion).default(eks.kubernetesVersion).describe("EKS Kubernetes version: the one this kit release is built for (modules/versions.ts)."),
    network: network.optional(),
    existingNetwork: existingNetwork.optional(),
    endpointAccess: z
      .enum(["public-and-private", "private"])
      .default("public-and-private")
      .describe("Cluster API endpoint: reachable from the internet (limited by publicAccessCidrs) and the VPC, or from the VPC only (then run `pulumi up` from inside it)."),
    publicAccessCidrs: z.array(cidr()).min(1).default(["0.0.0.0/0"]).describe("Where the public endpoint answers from; narrow it to your offices and CI (prod refuses 0.0.0.0/0)."),
    serviceCidr: cidr({ min: 12, max: 24, why: "EKS takes a Service range of /12 to /24 (CreateCluster, kubernetesNetworkConfig.serviceIpv4Cidr)" })
      .superRefine((range, ctx) => {
        if (!EKS_SERVICE_BLOCKS.some((block) => within(range, block))) {
          ctx.addIssue({ code: "custom", input: range, message: `must lie within ${EKS_SERVICE_BLOCKS.join(", ")} (EKS CreateCluster, kubernetesNetworkConfig.serviceIpv4Cidr)` });
        }
      })
      .optional()
      .describe("Range Kubernetes Services get their IPs from; unset lets EKS pick 10.100.0.0/16 or 172.20.0.0/16. Set only at creation (a change replaces the cluster); it must not overlap the VPC or networks peered with it."),
    admins: z
      .array(iamPrincipalArn)
      .min(1)
      .describe("IAM roles or users that get cluster-admin (EKS access entries with AmazonEKSClusterAdminPolicy). Include the role `pulumi up` runs as: the cluster creator gets no implicit access."),
    logTypes: z
      .array(z.enum(["api", "audit", "authenticator", "controllerManager", "scheduler"]))
      .default(["api", "audit", "authenticator", "controllerManager", "scheduler"])
      .describe("Control-plane logs sent to CloudWatch."),
    logRetentionDays: z
      .union(LOG_RETENTION_DAYS.map((d) => z.literal(d)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>, ...z.ZodLiteral<number>[]], {
        error: () => `is not a retention CloudWatch Logs offers (PutRetentionPolicy, retentionInDays): one of ${LOG_RETENTION_DAYS.join(", ")}`,
      })
      .default(90)
      .describe("Days CloudWatch keeps the control-plane logs (the kit creates their log group, encrypted with its own KMS key; one of CloudWatch's retention values)."),
    addonVersions: z
      .partialRecord(z.enum(Object.keys(eks.addons) as [EksAddon, ...EksAddon[]]), z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, 'expected an add-on version such as "v1.22.4-eksbuild.3"'))
      .default({})
      .describe("Override an EKS add-on version of the table (modules/versions.ts eks.addons), e.g. with what `aws eks describe-addon-versions` lists."),
    systemNodes: z
      .strictObject({
        ...nodeGroupShape,
        instanceTypes: nodeGroupShape.instanceTypes.default(["m6i.xlarge"]),
        minSize: nodeGroupShape.minSize.default(2),
        maxSize: nodeGroupShape.maxSize.default(4),
        desiredSize: nodeGroupShape.desiredSize.default(2),
        diskGiB: nodeGroupShape.diskGiB.default(50),
        releaseVersion: amiReleaseOf("the system nodes"),
      })
      .superRefine(sizeRule)
      .prefault({})
      .describe("On-demand group for KFP's control plane and the cluster's add-ons."),
    workerGroups: z.record(poolName, cpuGroup).default({}).describe("CPU node groups for pipeline steps, by name."),
    disasterRecovery: z
      .strictObject({
        region: awsRegion("us-west-2").describe("The region a DR stack rebuilds in (docs/disaster-recovery.md)."),
        replicaBucket: s3BucketName.describe("Versioned, KMS-encrypted bucket in that region that S3 replication copies the pipeline root (and the logical backups) into."),
        backupRetentionDays: z.number().int().min(1).max(35).default(14).describe("Days of the database's automated backups kept in that region (point-in-time restore there)."),
      })
      .optional()
      .describe("Copies in a second region for disaster recovery: the bucket replicated, the database's automated backups replicated."),
    gpuGroups: z.record(poolName, gpuGroup).default({}).describe("GPU node groups (tainted nvidia.com/gpu=true:NoSchedule), by name."),
    imageCaches,
  })
  .superRefine((c, ctx) => {
    if (!c.network === !c.existingNetwork) {
      ctx.addIssue({ code: "custom", path: ["network"], input: c.network, message: "set exactly one of network (the kit creates the VPC) and existingNetwork (subnets you have)" });
    }
    for (const [group, g] of [["systemNodes", c.systemNodes], ...Object.entries(c.workerGroups).map(([n, g]) => [`workerGroups.${n}`, g]), ...Object.entries(c.gpuGroups).map(([n, g]) => [`gpuGroups.${n}`, g])] as [string, { releaseVersion: string }][]) {
      if (!g.releaseVersion.startsWith(`${c.kubernetesVersion}.`)) {
        ctx.addIssue({ code: "custom", path: [...group.split("."), "releaseVersion"], input: g.releaseVersion, message: `is an AMI release for another Kubernetes version; the cluster runs ${c.kubernetesVersion}` });
      }
    }
    if (c.imageCaches.enabled) imageCacheRules(c, ctx);
    (c.network?.availabilityZones ?? []).forEach((zone, i, zones) => {
      const path = ["network", "availabilityZones", i];
      if (zones.indexOf(zone) < i) return void ctx.addIssue({ code: "custom", path, input: zone, message: `is listed twice; each zone gets its own public and private subnet, so list a zone once` });
      const problem = awsZoneProblem(zone, c.region);
      if (problem) ctx.addIssue({ code: "custom", path, input: zone, message: problem });
    });
    if (c.serviceCidr && c.network && overlaps(c.serviceCidr, c.network.vpcCidr)) {
      ctx.addIssue({ code: "custom", path: ["serviceCidr"], input: c.serviceCidr, message: `overlaps network.vpcCidr (${c.network.vpcCidr}), which EKS refuses; choose a range outside the VPC` });
    }
  })
  .describe("Where the platform runs.");

/** The cache settings against the rest of the cluster: where ECR offers rules, secrets where ECR reads them, prefixes it takes. */
function imageCacheRules(c: { region: string; accountId: string; name: string; imageCaches: z.infer<typeof imageCaches> }, ctx: z.RefinementCtx) {
  if (NO_PULL_THROUGH_REGION.test(c.region)) {
    ctx.addIssue({ code: "custom", path: ["imageCaches", "enabled"], input: true, message: `ECR offers no pull-through cache rules in ${c.region}; set imageCaches.enabled: false` });
  }
  const longest = longestPrefix(c.imageCaches.prefix ?? c.name);
  if (longest.length > MAX_PREFIX_LENGTH) {
    ctx.addIssue({ code: "custom", path: ["imageCaches", "prefix"], input: c.imageCaches.prefix, message: `makes the ECR prefix "${longest}" (${longest.length} characters; ECR takes ${MAX_PREFIX_LENGTH}); set a shorter imageCaches.prefix` });
  }
  for (const [host, arn] of Object.entries(c.imageCaches.credentials)) {
    const [, , , region, account] = arn!.split(":");
    if (region !== c.region || account !== c.accountId) {
      ctx.addIssue({ code: "custom", path: ["imageCaches", "credentials", host], input: arn, message: `is in ${account}/${region}; ECR reads the secret only from the stack's own account and region (${c.accountId}/${c.region})` });
    }
  }
}

/** The private blocks EKS takes a Service range from (CreateCluster API, KubernetesNetworkConfigRequest.serviceIpv4Cidr). */
const EKS_SERVICE_BLOCKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;
function within(range: string, block: string): boolean {
  const [r, b] = [parseCidr(range), parseCidr(block)];
  return !("problem" in r) && !("problem" in b) && r.first >= b.first && r.last <= b.last;
}

export const s3ObjectStore = z.strictObject({
  kind: z.literal("s3").describe("An S3 bucket the kit creates in the cluster's region (aws target)."),
  bucket: s3BucketName
    .describe("Bucket name; S3 names are global, so make it unique to you."),
  auth: z
    .enum(["irsa", "keys"])
    .default("irsa")
    .describe("How pods reach the bucket: `irsa` (IAM roles for the API server, UI and pipeline pods' service accounts; no keys anywhere) or `keys` (a Secret you manage)."),
  keysSecret: z
    .string()
    .min(1)
    .optional()
    .describe("With auth `keys`: a Secret in the platform namespace with keys `accesskey` and `secretkey`."),
  existingBucket: z
    .strictObject({
      kmsKeyArn: z.string().regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "expected a KMS key ARN").describe("The key the bucket's objects are encrypted with (for the IRSA roles' kms:Decrypt)."),
    })
    .optional()
    .describe("Adopt a bucket that already exists (a DR replica) as the pipeline root: the kit creates only the IAM roles on it, and never deletes it."),
  lifecycle: z
    .strictObject({
      noncurrentVersionDays: count(1, "Days an overwritten or deleted object's old version is kept.").default(30),
      abortIncompleteUploadDays: count(1, "Days after which incomplete multipart uploads are removed.").default(7),
      expireArtifactsDays: count(1, "Days after which artifacts and logs expire; unset keeps them.").optional(),
    })
    .prefault({})
    .describe("Bucket lifecycle rules."),
})
  .superRefine((s, ctx) => {
    if (s.auth === "irsa" && s.keysSecret) {
      ctx.addIssue({ code: "custom", path: ["keysSecret"], input: s.keysSecret, message: "IRSA and static keys exclude each other (static keys win in Argo and the API server); remove keysSecret or set auth: keys" });
    }
    if (s.auth === "keys" && !s.keysSecret) {
      ctx.addIssue({ code: "custom", path: ["keysSecret"], input: undefined, message: "auth keys needs the Secret that holds them" });
    }
  });

export const rdsDatabase = z.strictObject({
  kind: z.literal("rds").describe("RDS for MySQL 8.4 in the cluster's private subnets (aws target)."),
  instanceClass: z.string().regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'expected an RDS instance class such as "db.t4g.medium"').superRefine(offered(rdsClassProblem)).default("db.t4g.medium").describe("RDS instance class."),
  allocatedStorageGiB: count(20, "Initial storage (gp3, encrypted).").default(50),
  maxAllocatedStorageGiB: count(20, "Ceiling for storage autoscaling.").default(200),
  multiAz: z.boolean().optional().describe("A standby in a second zone; default true in prod (required there)."),
  backupRetentionDays: z.number().int().min(0).max(35).optional().describe("Days of automated backups (point-in-time recovery); default 14 in prod (at least 14 there), 7 elsewhere."),
  performanceInsights: z.boolean().default(false).describe("Turn on Performance Insights."),
  restoreFrom: z
    .strictObject({
      automatedBackupsArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:auto-backup:ab-[a-z0-9]+$/, "expected a replicated automated backups ARN (arn:aws:rds:<region>:<account>:auto-backup:ab-...)")
        .optional()
        .describe("Point-in-time restore from automated backups (replicated into this region by the source stack's disasterRecovery)."),
      restoreTime: z
        .string()
        .regex(/^(latest|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/, 'expected "latest" or a UTC time such as "2026-11-29T02:00:00Z"')
        .default("latest")
        .describe("With automatedBackupsArn: the point in time to restore (the newest restorable time by default)."),
      snapshotIdentifier: z.string().min(1).optional().describe("Restore from this DB snapshot (identifier or ARN) instead."),
      kmsKeyArn: z
        .string()
        .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/, "expected a KMS key ARN")
        .describe(
          "The key the backups are encrypted with, which the restored instance keeps (RDS restores cannot re-encrypt): for replicated backups the source stack's output disasterRecovery.replicaKmsKeyArn.",
        ),
    })
    .optional()
    .describe("Create the database from backups instead of empty (disaster recovery). Keep it for the stack's life: changing or removing it replaces the database."),
})
  .superRefine((d, ctx) => {
    if (d.restoreFrom && !d.restoreFrom.automatedBackupsArn === !d.restoreFrom.snapshotIdentifier) {
      ctx.addIssue({ code: "custom", path: ["restoreFrom"], input: d.restoreFrom, message: "set exactly one of automatedBackupsArn and snapshotIdentifier" });
    }
  });
