// Config of the KFP control plane and Argo: sizes of every container and the scale knobs. Part of the
// one stack schema (schema.ts). Defaults fit a laptop cluster; docs/scaling.md has the prod arithmetic.
import { z } from "zod";
import { containerResources, cpuQuantity, memoryQuantity, parseQuantity } from "./quantities";
import type { ContainerResources } from "../k8s/workload";

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
      500,
      "Most workflows (pipeline runs) running at once; 0 is unlimited. Further runs wait Pending in the controller instead of loading etcd. Read at controller start: a change restarts the controller (docs/scaling.md).",
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
    resources: componentResources.describe("Requests and limits of every KFP and Argo control-plane container."),
    argo: argoSettings.describe("Argo Workflows controller settings (scale and defaults of every run)."),
    stepDefaults: stepDefaults.describe(
      "What a pipeline step's container gets when the pipeline sets no request (set_cpu_request, set_memory_request): a LimitRange in every namespace where runs execute. " +
        "Kubernetes applies it per field (a limit alone also becomes the request), so no combination a pipeline sets can conflict with it.",
    ),
    persistenceAgent: z
      .strictObject({
        ttlSecondsAfterWorkflowFinish: count(60, 86400, "Persistence agent TTL_SECONDS_AFTER_WORKFLOW_FINISH (upstream 86400)."),
        numWorkers: count(1, 2, "Persistence agent NUM_WORKERS (upstream 2)."),
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
  });

export type KfpSettings = z.output<typeof kfpSettings>;
