// Config of the KFP control plane and Argo: sizes of every container and the scale knobs. Part of the
// one stack schema (schema.ts). The schema's own defaults are the `small` profile (a dev cluster); the
// `production` profile, the default where environment is prod, is derived from sizing.ts (docs/scaling.md).
import { z } from "zod";
import { containerResources, cpuQuantity, memoryQuantity, parseQuantity } from "./quantities";
import type { ContainerResources } from "../k8s/workload";
import { agentWorkers, apiServerClientQps, ASSUMPTIONS, CONTROLLERS, type Controller, controllerMemoryBytes, memoryQuantityOf, runsWithin } from "./sizing";

const size = (cpu: string, memory: string, limit: string): ContainerResources => ({
  requests: { cpu, memory },
  limits: { memory: limit },
});

/** Default sizes: upstream's requests where it sets any (it sets no limits), measured-sensible otherwise. */
const COMPONENT_SIZES = {
  apiServer: ["KFP API server (Deployment ml-pipeline).", size("250m", "500Mi", "1Gi")],
  persistenceAgent: ["Persistence agent.", size("120m", "500Mi", "1Gi")],
  scheduledWorkflow: ["Recurring-run controller.", size("50m", "100Mi", "512Mi")],
  ui: ["KFP UI (Deployment ml-pipeline-ui).", size("10m", "70Mi", "512Mi")],
  viewerCrd: ["Tensorboard viewer controller.", size("10m", "50Mi", "256Mi")],
  visualizationServer: ["Visualization server.", size("30m", "500Mi", "1Gi")],
  cacheServer: ["Cache webhook server.", size("50m", "100Mi", "512Mi")],
  cacheDeployer: ["Upstream cache deployer (scaled to zero; the kit issues the webhook certificate).", size("10m", "32Mi", "128Mi")],
  metadataWriter: ["Metadata writer.", size("50m", "100Mi", "512Mi")],
  metadataEnvoy: ["Envoy in front of ML Metadata.", size("50m", "64Mi", "256Mi")],
  metadataGrpc: ["ML Metadata gRPC server.", size("100m", "200Mi", "1Gi")],
  workflowController: ["Argo workflow controller.", size("100m", "500Mi", "2Gi")],
} as const;

export type KfpComponent = keyof typeof COMPONENT_SIZES;

/**
 * KFP deletes a finished Workflow this long after its persistence agent recorded it (upstream 86400).
 * Every finished Workflow stays in etcd and in the three controllers' caches until then: at a day, ~24
 * finished Workflows per concurrently running one-hour run; at an hour, ~1 (sizing.ts retainedWorkflows).
 * The run stays in KFP's database and its logs in the object store; only `kubectl get wf` loses it.
 */
export const WORKFLOW_TTL_SECONDS = 3600;

/** Concurrent runs the small profile's memory limits hold (sizing.ts, high estimate), rounded down to tens. */
export function runsHeldBy(limits: Record<Controller, number>, ttlSeconds: number): number {
  return Math.floor(Math.min(...(Object.keys(CONTROLLERS) as Controller[]).map((c) => runsWithin(c, limits[c], ttlSeconds))) / 10) * 10;
}
export const SMALL_PROFILE_PARALLELISM = runsHeldBy(
  Object.fromEntries((Object.keys(CONTROLLERS) as Controller[]).map((c) => [c, parseQuantity(COMPONENT_SIZES[c][1].limits.memory)!])) as Record<Controller, number>,
  WORKFLOW_TTL_SECONDS,
);

export const KFP_PROFILES = ["small", "production"] as const;
export type KfpProfile = (typeof KFP_PROFILES)[number];

/** A controller's memory at the production profile's runs: request = limit, from sizing.ts. */
const sized = (controller: Controller, cpu: string) => {
  const memory = memoryQuantityOf(controllerMemoryBytes(controller, ASSUMPTIONS.productionRuns, WORKFLOW_TTL_SECONDS));
  return { requests: { cpu, memory }, limits: { memory } };
};

/**
 * What each profile sets under `kfp`, as a stack file would write it; a stack's own values win key by
 * key. `small` is the schema's defaults. `production` (the default where environment is prod) holds
 * ASSUMPTIONS.productionRuns concurrent runs: the three caching controllers sized from sizing.ts, two
 * API servers and two Argo controllers (one leads, one waits) so a restart or a node drain stops no run.
 */
export const PROFILE_VALUES: Record<KfpProfile, Record<string, unknown>> = {
  small: {},
  production: {
    replicas: { apiServer: 2, workflowController: 2 },
    argo: { parallelism: ASSUMPTIONS.productionRuns },
    resources: {
      // The API server caches no Workflows; ListRuns loads each listed run's manifests (storage/run_store.go).
      apiServer: size("1", "1Gi", "2Gi"),
      persistenceAgent: sized("persistenceAgent", "500m"),
      scheduledWorkflow: sized("scheduledWorkflow", "100m"),
      workflowController: sized("workflowController", "1"),
    },
  },
};

/** The profile a stack gets: kfp.profile, else production where environment is prod, else small. */
export function kfpProfileOf(raw: Record<string, unknown>): KfpProfile {
  const kfp = raw.kfp as Record<string, unknown> | undefined;
  const chosen = kfp && typeof kfp === "object" ? kfp.profile : undefined;
  if (typeof chosen === "string" && (KFP_PROFILES as readonly string[]).includes(chosen)) return chosen as KfpProfile;
  return raw.environment === "prod" ? "production" : "small";
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/** `over` laid on `under` key by key (plain objects merge, anything else replaces). */
function layered(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...under };
  for (const [key, value] of Object.entries(over)) out[key] = isPlain(value) && isPlain(under[key]) ? layered(under[key] as Record<string, unknown>, value) : value;
  return out;
}

/** A stack's raw config with its profile's values under its own `kfp` (before validation, so every rule judges the result). */
export function withKfpProfile(raw: Record<string, unknown>): Record<string, unknown> {
  if (raw.kfp !== undefined && !isPlain(raw.kfp)) return raw;
  const profile = kfpProfileOf(raw);
  return { ...raw, kfp: layered({ ...PROFILE_VALUES[profile], profile }, (raw.kfp as Record<string, unknown> | undefined) ?? {}) };
}

const componentResources = z
  .strictObject(
    Object.fromEntries(
      Object.entries(COMPONENT_SIZES).map(([name, [description, defaults]]) => [name, containerResources(defaults).describe(description)]),
    ) as { [K in KfpComponent]: ReturnType<typeof containerResources> },
  )
  .prefault({});

const duration = z.string().regex(/^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/, 'expected a Go duration such as "30s", "5m" or "1h30m"');
const ttl = z.string().regex(/^[0-9]+(s|m|h|d)$/, 'expected an Argo TTL such as "12h" or "7d"');
/** How far past KFP's own TTL an Argo backstop TTL must lie: an agent outage it survives. */
export const ARGO_TTL_MARGIN_SECONDS = 7 * 86400;

const count = (min: number, def: number, description: string) => z.number().int().min(min).default(def).describe(description);

const argoSettings = z
  .strictObject({
    parallelism: count(
      0,
      SMALL_PROFILE_PARALLELISM,
      `Most workflows (pipeline runs) running at once; 0 is unlimited. Further runs wait Pending in the controller instead of loading etcd. Default: what the profile's memory limits hold (small ${SMALL_PROFILE_PARALLELISM}, production ${ASSUMPTIONS.productionRuns}); a value above what the three controllers' limits hold is refused. Read at controller start: the kit restarts the controller when it changes (docs/scaling.md).`,
    ),
    namespaceParallelism: count(0, 0, "Most running workflows per namespace; 0 is unlimited."),
    workflowWorkers: count(1, 64, "Controller `--workflow-workers` (reconcile concurrency; upstream 32, raised for 500 concurrent runs)."),
    podCleanupWorkers: count(1, 16, "Controller `--pod-cleanup-workers` (upstream 4, raised so pod GC keeps up with ~6 finished pods/s)."),
    qps: count(1, 100, "Controller Kubernetes client `--qps` (upstream 20): a ceiling, spent only when there is work."),
    burst: count(1, 200, "Controller Kubernetes client `--burst` (upstream 30)."),
    executor: containerResources(size("10m", "64Mi", "512Mi")).describe(
      "Argo executor (init and wait containers of every step), assigned whole by Argo: set here so namespace quotas admit pipeline pods.",
    ),
    podGC: z
      .strictObject({
        strategy: z
          .enum(["OnPodCompletion", "OnPodSuccess", "OnWorkflowCompletion", "OnWorkflowSuccess"])
          .default("OnPodSuccess")
          .describe("When step pods are deleted. Logs stay readable: Argo archives them to the object store."),
        deleteDelayDuration: duration.default("5m").describe("How long a finished pod lingers before deletion (for debugging)."),
      })
      .prefault({})
      .describe("Default pod garbage collection of every workflow (workflowDefaults.spec.podGC)."),
    secondsAfterCompletion: z
      .number()
      .int()
      .optional()
      .describe(
        "A backstop Argo TTL (workflowDefaults.spec.ttlStrategy), unset by default: KFP deletes each finished Workflow itself once its persistence agent has recorded it and persistenceAgent.ttlSecondsAfterWorkflowFinish has passed. Argo's TTL deletes recorded or not, so when set it must exceed the agent's TTL by a week (docs/scaling.md).",
      ),
    nodeStatusOffload: z
      .boolean()
      .default(false)
      .describe(
        "Offload node status to MySQL when a Workflow is still over 1 MiB after compression, so very large pipelines run instead of failing. " +
          "Costs: the controller cannot start while MySQL is down, and KFP refuses to retry offloaded runs (docs/scaling.md).",
      ),
    archive: z
      .boolean()
      .default(false)
      .describe("Archive finished workflows to MySQL. Nothing in standalone KFP reads the archive (it deploys no argo-server); KFP keeps run history in its own database."),
    archiveTTL: ttl.default("7d").describe("How long archived workflows are kept (with `archive`)."),
  })
  .prefault({});

export const stepDefaults = z
  .strictObject({
    requests: z
      .strictObject({
        cpu: cpuQuantity.default("100m").describe("CPU request of a step container that sets none."),
        memory: memoryQuantity.default("256Mi").describe("Memory request of a step container that sets none."),
      })
      .prefault({}),
    memoryLimit: memoryQuantity
      .optional()
      .describe(
        "Memory limit of a step container that sets none; unset (upstream's behaviour) leaves such steps unbounded. " +
          "Kubernetes applies it before validation, so a step that sets only a memory request above it is refused by the API server.",
      ),
  })
  .prefault({})
  .superRefine((d, ctx) => {
    if (d.memoryLimit !== undefined && parseQuantity(d.memoryLimit)! < parseQuantity(d.requests.memory)!) {
      ctx.addIssue({ code: "custom", path: ["memoryLimit"], input: d.memoryLimit, message: `must be at least requests.memory (${d.requests.memory})` });
    }
  });

export const kfpSettings = z
  .strictObject({
    profile: z
      .enum(KFP_PROFILES)
      .optional()
      .describe(
        "Sizes of the control plane: `small` (the defaults below: one replica each, limits for a dev cluster) or `production` (two API servers and two Argo controllers, the caching controllers sized for 500 concurrent runs; docs/scaling.md). Default: production where environment is prod, else small. Keys set here win over the profile's.",
      ),
    replicas: z
      .strictObject({
        apiServer: count(1, 1, "KFP API server replicas (Deployment ml-pipeline); with 2 or more, a PodDisruptionBudget and a spread across zones. It has no leader election and needs none (docs/scaling.md)."),
        workflowController: count(1, 1, "Argo workflow controller replicas: one leads (Lease workflow-controller), the others wait to take over; with 2 or more, a PodDisruptionBudget."),
      })
      .prefault({})
      .describe("Replicas of the control plane's replicable parts (the persistence agent and scheduled-workflow controller have no leader election in KFP 2.14.0: one each)."),
    apiServerClient: z
      .strictObject({
        qps: z.number().positive().optional().describe("The API server's Kubernetes client QPS (CLIENTQPS; upstream 5). Default: from argo.parallelism's SubjectAccessReview rate in multi-user mode."),
        burst: z.number().int().min(1).optional().describe("Its burst (CLIENTBURST; upstream 10). Default: twice the QPS."),
      })
      .prefault({})
      .describe("Multi-user: every API call, status reports included, is authorized with a SubjectAccessReview through this client (docs/scaling.md)."),
    resources: componentResources.describe("Requests and limits of every KFP and Argo control-plane container."),
    argo: argoSettings.describe("Argo Workflows controller settings (scale and defaults of every run)."),
    stepDefaults: stepDefaults.describe(
      "What a pipeline step's container gets when the pipeline sets no request (set_cpu_request, set_memory_request): a LimitRange in every namespace where runs execute. " +
        "Kubernetes applies it per field (a limit alone also becomes the request), so no combination a pipeline sets can conflict with it.",
    ),
    persistenceAgent: z
      .strictObject({
        ttlSecondsAfterWorkflowFinish: count(
          60,
          WORKFLOW_TTL_SECONDS,
          "Persistence agent TTL_SECONDS_AFTER_WORKFLOW_FINISH (upstream 86400): KFP deletes a finished Workflow this long after recording it. Every controller caches the Workflows kept meanwhile (docs/scaling.md).",
        ),
        numWorkers: z
          .number()
          .int()
          .min(1)
          .optional()
          .describe("Persistence agent NUM_WORKERS (upstream 2). Default: from argo.parallelism's report rate (docs/scaling.md)."),
      })
      .prefault({}),
    pipelineRootPath: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'expected a relative path such as "v2/artifacts"')
      .default("v2/artifacts")
      .describe("Path under the artifact bucket for the default pipeline root (upstream minio://mlpipeline/v2/artifacts)."),
    cronScheduleTimezone: z.string().min(1).default("UTC").describe("Time zone of recurring-run cron schedules."),
    runRetentionDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "Delete finished runs older than this many days, daily at 03:30 UTC, through KFP's API (their Workflows, run details, tasks and metrics; not their artifacts in the object store nor ML Metadata). Unset (the default): runs are kept forever and KFP's tasks table grows by ~70 rows per run (docs/scaling.md).",
      ),
    runArchiveDays: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        "With runRetentionDays: archive finished runs older than this many days first (hidden from the UI's run list, restorable), and delete only archived runs, so every run spends at least a day in the archive before it goes.",
      ),
    mode: z
      .enum(["single-user", "multi-user"])
      .default("single-user")
      .describe(
        "`single-user`: upstream's standalone KFP, every run in the platform namespace. `multi-user`: each team's runs in its own namespace under its quota, users logged in through oauth2-proxy and identified to KFP by the kit's gateway (docs/multi-user.md).",
      ),
    multiUser: z
      .strictObject({
        oidc: z
          .strictObject({
            issuerUrl: z.url().describe("OIDC issuer users log in with (e.g. https://accounts.google.com, your Dex, Okta or Entra ID issuer)."),
            clientId: z.string().min(1).describe("OIDC client id registered for the gateway; its redirect URL is <externalUrl>/oauth2/callback."),
          })
          .describe("The identity provider; the client secret is the secret config value kfp-platform:oidcClientSecret."),
        externalUrl: z.url().describe("URL users open (the gateway behind your load balancer or port-forward), e.g. https://kfp.example.com."),
        emailDomains: z.array(z.string().min(1)).default(["*"]).describe("E-mail domains oauth2-proxy admits; `*` admits every authenticated user (team bindings still decide what they may do)."),
      })
      .optional()
      .describe("With mode multi-user: how users log in."),
  })
  .prefault({})
  .superRefine((kfp, ctx) => {
    if (kfp.mode === "multi-user" && !kfp.multiUser) {
      ctx.addIssue({ code: "custom", path: ["multiUser"], input: undefined, message: "mode multi-user needs multiUser.oidc (issuerUrl, clientId) and multiUser.externalUrl: users log in through the gateway" });
    }
    if (kfp.mode === "single-user" && kfp.multiUser) {
      ctx.addIssue({ code: "custom", path: ["multiUser"], input: kfp.multiUser, message: "is used only with mode: multi-user; set mode or remove multiUser" });
    }
    if (kfp.runArchiveDays !== undefined && kfp.runRetentionDays === undefined) {
      ctx.addIssue({ code: "custom", path: ["runArchiveDays"], input: kfp.runArchiveDays, message: "archives runs before runRetentionDays deletes them; set runRetentionDays too, or remove runArchiveDays" });
    }
    if (kfp.runArchiveDays !== undefined && kfp.runRetentionDays !== undefined && kfp.runArchiveDays >= kfp.runRetentionDays) {
      ctx.addIssue({ code: "custom", path: ["runArchiveDays"], input: kfp.runArchiveDays, message: `must be fewer days than runRetentionDays (${kfp.runRetentionDays}): runs are archived first, then deleted` });
    }
    // Argo's TTL deletes a finished Workflow whether or not the persistence agent has recorded it: as a
    // backstop only, a week past KFP's own TTL, so an agent down for days still finds its runs.
    const floor = kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish + ARGO_TTL_MARGIN_SECONDS;
    if (kfp.argo.secondsAfterCompletion !== undefined && kfp.argo.secondsAfterCompletion < floor) {
      ctx.addIssue({
        code: "custom",
        path: ["argo", "secondsAfterCompletion"],
        input: kfp.argo.secondsAfterCompletion,
        message: `must be at least persistenceAgent.ttlSecondsAfterWorkflowFinish + 7 days (${floor}): Argo deletes finished Workflows whether KFP recorded them or not, and KFP deletes recorded ones itself; leave it unset unless you want a backstop`,
      });
    }
    // The three controllers cache every Workflow: a cap their memory limits cannot hold means OOM kills
    // under load, each one a cold restart that re-lists every Workflow (sizing.ts).
    const parallelism = kfp.argo.parallelism;
    for (const controller of Object.keys(CONTROLLERS) as Controller[]) {
      const limit = parseQuantity(kfp.resources[controller].limits.memory)!;
      const held = runsWithin(controller, limit, kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish);
      if (parallelism > 0 && held < parallelism) {
        const need = memoryQuantityOf(controllerMemoryBytes(controller, parallelism, kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish));
        ctx.addIssue({
          code: "custom",
          path: ["resources", controller, "limits", "memory"],
          input: kfp.resources[controller].limits.memory,
          message: `holds ${held} concurrent runs of the ${CONTROLLERS[controller].label}'s Workflow cache (docs/scaling.md, high estimate), below argo.parallelism ${parallelism}: set at least ${need}, lower argo.parallelism or persistenceAgent.ttlSecondsAfterWorkflowFinish, or use profile: production`,
        });
      }
    }
  })
  .transform((kfp) => {
    // Derived from the cap unless set: the agent's workers and the API server's client QPS (sizing.ts).
    const runs = kfp.argo.parallelism > 0 ? kfp.argo.parallelism : ASSUMPTIONS.productionRuns;
    const client = apiServerClientQps(runs);
    const qps = kfp.apiServerClient.qps ?? client.qps;
    return {
      ...kfp,
      profile: kfp.profile ?? ("small" as KfpProfile),
      persistenceAgent: { ...kfp.persistenceAgent, numWorkers: kfp.persistenceAgent.numWorkers ?? agentWorkers(runs) },
      apiServerClient: { qps, burst: kfp.apiServerClient.burst ?? (kfp.apiServerClient.qps === undefined ? client.burst : Math.ceil(2 * qps)) },
    };
  });

export type KfpSettings = z.output<typeof kfpSettings>;
