// The one source of the platform's capacity arithmetic: from stated assumptions about a run and from
// what KFP 2.14.0 and Argo v3.6.7 do (source lines at those tags), the Workflows each controller keeps,
// the memory their caches need, etcd's load, the persistence agent's report rate, SubjectAccessReview QPS
// in multi-user mode and database connections. The config's profiles (kfp.ts), the plan's values
// (limits, worker counts, client QPS, alert thresholds) and docs/scaling.md's tables read this module;
// test/sizing.test.ts checks the document against it.
import { parseQuantity } from "./quantities";

const KiB = 2 ** 10;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Every assumption, with its reason; *estimates* unless a source line is named. */
export const ASSUMPTIONS = {
  /** Tasks of one run: a training pipeline (data prep, several train/eval steps, export). */
  tasksPerRun: 20,
  /** A run's duration. */
  runSeconds: 3600,
  /** Workflow JSON size: [average over the run, at the end], low and high (docs/scaling.md; kubeflow/pipelines#13738). */
  workflowBytes: { low: { average: 125 * KiB, end: 250 * KiB }, high: { average: 375 * KiB, end: 750 * KiB } },
  /** Workflow writes per task: driver and executor pods Pending/Running/Succeeded, DAG and task-result updates. */
  writesPerTask: 8,
  /** The persistence agent's informer resync: every Workflow is re-reported this often until recorded (agent/persistence/main.go:107). */
  agentResyncSeconds: 30,
  /** Pods of one task (KFP v2 driver and executor) and one Pod object's size. */
  podsPerTask: 2,
  podBytes: 10 * KiB,
  /** How long a finished step pod lingers before pod GC (kfp.argo.podGC.deleteDelayDuration's default). */
  podGcDelaySeconds: 300,
  /** Go's heap grows to twice the live data before a collection (GOGC=100, the runtime's default). */
  goHeapFactor: 2,
  /** A controller's memory besides its caches (binary, client, queues). */
  controllerBaseBytes: 128 * MiB,
  /** One report end to end (agent -> API server -> MySQL and back) with the tasks indexes in place (docs/scaling.md's bench: under 10 ms of SQL). */
  reportSeconds: 0.1,
  /** Agent workers kept above the average number busy, for bursts (runs finishing together). */
  workerHeadroom: 2,
  /** etcd's default backend quota (--quota-backend-bytes) and compaction interval; EKS's quota below, GKE's not published where read. */
  etcdQuotaBytes: 2 * GiB,
  etcdCompactionSeconds: 300,
  /** Users at once in multi-user mode, and KFP API calls a user's open UI makes per second (run list and details polling). */
  users: 50,
  uiCallsPerUserPerSecond: 0.2,
  /** Client QPS kept above the average need, for bursts. */
  qpsHeadroom: 1.5,
  /** Concurrent runs the production profile is sized for (the concurrency cap, kfp.argo.parallelism). */
  productionRuns: 500,
  /** Memory granularity sizes are rounded up to. */
  roundBytes: 256 * MiB,
} as const;

/** EKS limits etcd to 8 GiB (docs.aws.amazon.com/eks/latest/userguide/clusters.html, "etcd storage is limited to 8 GiB"). */
export const EKS_ETCD_QUOTA_BYTES = 8 * GiB;

export type Estimate = "low" | "high";
const A = ASSUMPTIONS;

/** Writes of one run's Workflow per second: tasks x writes per task over the run. */
export const workflowWritesPerRunPerSecond = (A.tasksPerRun * A.writesPerTask) / A.runSeconds;

/** Workflows the three controllers hold at `runs` concurrent runs: running ones, plus finished ones until KFP deletes them. */
export function retainedWorkflows(runs: number, ttlSeconds: number): { running: number; finished: number; total: number } {
  // A finished Workflow is deleted once the agent re-reports it TTL after it finished (workflow_saver.go:64),
  // at its next resync: on average half a resync later, at worst a whole one (counted here).
  const finished = Math.ceil((runs / A.runSeconds) * (ttlSeconds + A.agentResyncSeconds));
  return { running: runs, finished, total: runs + finished };
}

/** Bytes of Workflow JSON in each controller's cache (and live in etcd). */
export function workflowCacheBytes(runs: number, ttlSeconds: number, estimate: Estimate): number {
  const { running, finished } = retainedWorkflows(runs, ttlSeconds);
  const size = A.workflowBytes[estimate];
  return running * size.average + finished * size.end;
}

/** Step pods that exist at once (running, plus finished ones until pod GC): Argo's controller caches them too. */
export function livePods(runs: number): number {
  const podsPerSecond = (runs * A.tasksPerRun * A.podsPerTask) / A.runSeconds;
  const running = runs * A.podsPerTask; // about one task running per run at a time
  return Math.ceil(running + podsPerSecond * A.podGcDelaySeconds);
}

export type Controller = "scheduledWorkflow" | "persistenceAgent" | "workflowController";
/**
 * Who caches what. KFP's two controllers build informers on every Workflow in their namespace
 * (crd/controller/scheduledworkflow/main.go:95, agent/persistence/main.go:107 at 2.14.0); Argo's
 * controller caches every Workflow (filtered only by instance id) and every step pod.
 */
export const CONTROLLERS: Record<Controller, { readonly label: string; readonly pods: boolean }> = {
  scheduledWorkflow: { label: "scheduled-workflow controller", pods: false },
  persistenceAgent: { label: "persistence agent", pods: false },
  workflowController: { label: "Argo workflow controller", pods: true },
};

/** Memory a controller needs at `runs` concurrent runs: base plus its caches, times Go's heap growth. */
export function controllerMemoryBytes(controller: Controller, runs: number, ttlSeconds: number, estimate: Estimate = "high"): number {
  const cache = workflowCacheBytes(runs, ttlSeconds, estimate) + (CONTROLLERS[controller].pods ? livePods(runs) * A.podBytes : 0);
  return A.controllerBaseBytes + A.goHeapFactor * cache;
}

/** The most concurrent runs a controller holds within `limitBytes` (its memory limit), at the high estimate. */
export function runsWithin(controller: Controller, limitBytes: number, ttlSeconds: number): number {
  let lo = 0;
  let hi = 100_000;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (controllerMemoryBytes(controller, mid, ttlSeconds) <= limitBytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** etcd at `runs`: live Workflows plus what one compaction window writes, against the quota. */
export function etcdBytes(runs: number, ttlSeconds: number, estimate: Estimate) {
  const live = workflowCacheBytes(runs, ttlSeconds, estimate) + livePods(runs) * A.podBytes;
  const window = runs * workflowWritesPerRunPerSecond * A.etcdCompactionSeconds * A.workflowBytes[estimate].average;
  return { live, window, total: live + window, quota: A.etcdQuotaBytes };
}

/**
 * Reports the persistence agent sends per second: each Workflow change, plus every resync of each
 * Workflow not yet recorded as finished (the running ones).
 */
export function reportsPerSecond(runs: number): number {
  return runs * (workflowWritesPerRunPerSecond + 1 / A.agentResyncSeconds);
}

/** Persistence agent NUM_WORKERS: the reports in flight on average, times the headroom; never below upstream's 2. */
export function agentWorkers(runs: number): number {
  return Math.max(2, Math.ceil(reportsPerSecond(runs) * A.reportSeconds * A.workerHeadroom));
}

/**
 * SubjectAccessReviews per second in multi-user mode: one per authorized API call, reports included
 * (resource_manager/authorization in the API server; no cache at 2.14.0), plus the users' UI calls.
 */
export function sarPerSecond(runs: number): number {
  return reportsPerSecond(runs) + A.users * A.uiCallsPerUserPerSecond;
}

/** The API server's client QPS and burst in multi-user mode (CLIENTQPS/CLIENTBURST; upstream 5/10, client_manager.go:293-294). */
export function apiServerClientQps(runs: number): { qps: number; burst: number } {
  const qps = Math.max(5, Math.ceil((sarPerSecond(runs) * A.qpsHeadroom) / 10) * 10);
  return { qps, burst: 2 * qps };
}

/** Runs at which upstream's client QPS (5) is spent on reports alone, with no UI traffic. */
export const upstreamSarRuns = Math.floor(5 / (workflowWritesPerRunPerSecond + 1 / A.agentResyncSeconds));

/**
 * MySQL connections at `runs`: database/sql keeps up to 2 idle connections per pool (its default) and
 * opens one per query in flight, uncapped (KFP sets only ConnMaxLifetime, client_manager.go:274).
 * In flight: the agent's reports (one per worker at most), the drivers' cache lookups and the UI's calls.
 */
export function dbConnections(runs: number, apiServerReplicas: number, multiUser: boolean) {
  const idle = 2;
  const reports = Math.min(agentWorkers(runs), reportsPerSecond(runs) * A.reportSeconds * A.workerHeadroom);
  const lookupsPerSecond = (runs * A.tasksPerRun) / A.runSeconds;
  const ui = (multiUser ? A.users : 5) * A.uiCallsPerUserPerSecond;
  const inFlight = Math.ceil(reports + (lookupsPerSecond + ui) * A.reportSeconds * A.workerHeadroom);
  // API server pools, plus the cache server's and ML Metadata's (idle each), the bootstrap/backup/exporter clients (1 each).
  return { inFlight, total: inFlight + idle * apiServerReplicas + idle * 2 + 3 };
}

/** Rounds a byte count up to the sizing granularity and spells it as a Kubernetes quantity. */
export function memoryQuantityOf(bytes: number): string {
  const rounded = Math.ceil(bytes / A.roundBytes) * A.roundBytes;
  return rounded % GiB === 0 ? `${rounded / GiB}Gi` : `${rounded / MiB}Mi`;
}

export const bytesOf = (quantity: string): number => parseQuantity(quantity) ?? 0;
export const UNITS = { KiB, MiB, GiB };

/** Workflow objects above which ArgoWorkflowObjectsHigh fires: what the cap and the TTL keep, plus a quarter. */
export function workflowObjectsBound(parallelism: number, ttlSeconds: number): number {
  return Math.ceil(retainedWorkflows(parallelism > 0 ? parallelism : A.productionRuns, ttlSeconds).total * 1.25);
}

/** What a stack's settings give the arithmetic (read from its validated config). */
export interface SizedStack {
  readonly parallelism: number;
  readonly ttlSeconds: number;
  /** Memory limit of each caching controller, bytes. */
  readonly limits: Record<Controller, number>;
  readonly agentWorkers: number;
  /** Multi-user: the API server's client QPS (every API call is a SubjectAccessReview); single-user: none. */
  readonly clientQps?: number;
  readonly apiServerReplicas: number;
  /** The database's max_connections where the kit knows it (in-cluster MySQL); managed databases: unset. */
  readonly maxConnections?: number;
  /** etcd's quota on the stack's control plane. */
  readonly etcdQuotaBytes: number;
}

export interface Load {
  readonly what: string;
  readonly need: number;
  readonly have: number;
  /** need / have: at or above 1 it binds. */
  readonly ratio: number;
}

/** MySQL's default max_connections (8.4; the kit's in-cluster MySQL sets none). */
export const MYSQL_DEFAULT_MAX_CONNECTIONS = 151;

/**
 * Every load at `runs` submitted concurrent runs, need against what the stack has. Argo's cap admits at
 * most `parallelism`; the rest wait Pending, so the other loads are those of the admitted runs.
 */
export function loadsAt(submitted: number, s: SizedStack): { running: number; capped: boolean; loads: Load[] } {
  const capped = s.parallelism > 0 && submitted > s.parallelism;
  const runs = capped ? s.parallelism : submitted;
  const load = (what: string, need: number, have: number): Load => ({ what, need, have, ratio: need / have });
  const loads: Load[] = [
    ...(Object.keys(CONTROLLERS) as Controller[]).map((c) => load(`${CONTROLLERS[c].label} memory`, controllerMemoryBytes(c, runs, s.ttlSeconds), s.limits[c])),
    ...(["low", "high"] as const).map((e) => load(`etcd (${e} Workflow size)`, etcdBytes(runs, s.ttlSeconds, e).total, s.etcdQuotaBytes)),
    load("persistence agent reports", reportsPerSecond(runs), s.agentWorkers / A.reportSeconds),
    ...(s.clientQps !== undefined ? [load("API server SubjectAccessReviews", sarPerSecond(runs), s.clientQps)] : []),
    ...(s.maxConnections !== undefined ? [load("MySQL connections", dbConnections(runs, s.apiServerReplicas, s.clientQps !== undefined).total, s.maxConnections)] : []),
  ];
  return { running: runs, capped, loads };
}

/** The load closest to (or past) its bound. */
export function bindingLoad(loads: readonly Load[]): Load {
  return loads.reduce((a, b) => (b.ratio > a.ratio ? b : a));
}
