// docs/scaling.md's tables, rendered from modules/config/sizing.ts and each stack's validated config:
// `npm run docs` writes them between their markers, and test/sizing.test.ts fails when the document
// and the arithmetic differ.
import { parseStackConfig } from "../modules/config/parse";
import type { StackConfig } from "../modules/config/schema";
import { parseQuantity } from "../modules/config/quantities";
import {
  agentWorkers,
  apiServerClientQps,
  ASSUMPTIONS,
  bindingLoad,
  CONTROLLERS,
  type Controller,
  controllerMemoryBytes,
  dbConnections,
  EKS_ETCD_QUOTA_BYTES,
  etcdBytes,
  livePods,
  loadsAt,
  memoryQuantityOf,
  MYSQL_DEFAULT_MAX_CONNECTIONS,
  reportsPerSecond,
  retainedWorkflows,
  sarPerSecond,
  type SizedStack,
  UNITS,
  upstreamSarRuns,
  workflowCacheBytes,
  workflowObjectsBound,
  workflowWritesPerRunPerSecond,
} from "../modules/config/sizing";
import { listStacks, loadStackFile } from "./stack-file";

/** What the arithmetic needs of a stack's config. */
export function sizedStackOf(config: StackConfig): SizedStack {
  const kfp = config.kfp;
  return {
    parallelism: kfp.argo.parallelism,
    ttlSeconds: kfp.persistenceAgent.ttlSecondsAfterWorkflowFinish,
    limits: Object.fromEntries((Object.keys(CONTROLLERS) as Controller[]).map((c) => [c, parseQuantity(kfp.resources[c].limits.memory)!])) as Record<Controller, number>,
    agentWorkers: kfp.persistenceAgent.numWorkers,
    clientQps: kfp.mode === "multi-user" ? kfp.apiServerClient.qps : undefined,
    apiServerReplicas: kfp.replicas.apiServer,
    maxConnections: config.database.kind === "in-cluster" ? MYSQL_DEFAULT_MAX_CONNECTIONS : undefined,
    etcdQuotaBytes: config.cluster.target === "aws" ? EKS_ETCD_QUOTA_BYTES : ASSUMPTIONS.etcdQuotaBytes,
  };
}

const mib = (bytes: number) => `${Math.round(bytes / UNITS.MiB).toLocaleString("en-US")} MiB`;
const gib = (bytes: number) => `${(bytes / UNITS.GiB).toFixed(2)} GiB`;
const n = (x: number, digits = 0) => x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (ratio: number) => `${Math.round(ratio * 100)}%`;
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

function assumptionsTable(): string {
  const A = ASSUMPTIONS;
  const w = A.workflowBytes;
  return table(
    ["quantity", "value", "why"],
    [
      ["tasks per run", `${A.tasksPerRun}`, "a training pipeline: data prep, several train/eval steps, export"],
      ["run duration", `${A.runSeconds / 60} min`, "so one run writes its Workflow " + n(workflowWritesPerRunPerSecond, 3) + " times a second"],
      ["Workflow writes per task", `${A.writesPerTask}`, "driver and executor pods Pending, Running, Succeeded, plus DAG and task-result updates (*estimate*)"],
      ["Workflow size, average over the run / at the end", `low ${w.low.average / UNITS.KiB}/${w.low.end / UNITS.KiB} KiB, high ${w.high.average / UNITS.KiB}/${w.high.end / UNITS.KiB} KiB`, "10-35 KiB of status per task (above); memory is sized at the high figure"],
      ["agent resync", `${A.agentResyncSeconds} s`, "every Workflow not yet recorded is re-reported (agent/persistence/main.go:107)"],
      ["pods per task, Pod size", `${A.podsPerTask}, ${A.podBytes / UNITS.KiB} KiB`, "KFP v2's driver and executor pods; long driver/launcher args"],
      ["Go heap growth", `${A.goHeapFactor}x the live data`, "GOGC=100, Go's default: the heap grows to twice the live data before a collection"],
      ["controller base memory", mib(A.controllerBaseBytes), "binary, clients and queues besides the caches (*estimate*)"],
      ["one report, end to end", `${A.reportSeconds * 1000} ms`, "agent to API server to MySQL and back with the tasks indexes (the bench below: under 10 ms of SQL)"],
      ["headroom (agent workers, client QPS)", `${A.workerHeadroom}x, ${A.qpsHeadroom}x`, "bursts: runs that finish together"],
      ["etcd quota, compaction", `${gib(A.etcdQuotaBytes)} (EKS: ${gib(EKS_ETCD_QUOTA_BYTES)}), ${A.etcdCompactionSeconds / 60} min`, "etcd's defaults; EKS documents 8 GiB; GKE publishes no figure we could read, so its stacks count 2 GiB"],
      ["users (multi-user), UI calls per user", `${A.users}, ${A.uiCallsPerUserPerSecond}/s`, "run lists and details polling"],
    ],
  );
}

function productionTable(): string {
  const runs = ASSUMPTIONS.productionRuns;
  const ttl = 3600;
  const kept = retainedWorkflows(runs, ttl);
  const kept24 = retainedWorkflows(runs, 86400);
  const etcdLow = etcdBytes(runs, ttl, "low");
  const etcdHigh = etcdBytes(runs, ttl, "high");
  const sar = apiServerClientQps(runs);
  const db = dbConnections(runs, 2, true);
  return table(
    ["figure", "arithmetic", `at ${runs} runs`],
    [
      ["Workflows kept (KFP's TTL 1 h)", `${runs} running + ${runs} / ${ASSUMPTIONS.runSeconds} s x (3600 + ${ASSUMPTIONS.agentResyncSeconds}) s finished`, `**${n(kept.total)}** (${n(kept.finished)} finished)`],
      ["Workflows kept (upstream's TTL 1 day)", "the same with 86,400 s", `${n(kept24.total)}`],
      ["Workflow JSON in each cache", "running x average + finished x end size", `${mib(workflowCacheBytes(runs, ttl, "low"))} - ${mib(workflowCacheBytes(runs, ttl, "high"))}`],
      ["step pods in Argo's cache", `${runs} x ${ASSUMPTIONS.podsPerTask} running + pods finishing over the ${ASSUMPTIONS.podGcDelaySeconds / 60} min GC delay`, `${n(livePods(runs))} (${mib(livePods(runs) * ASSUMPTIONS.podBytes)})`],
      ...(Object.keys(CONTROLLERS) as Controller[]).map((c) => [
        `${CONTROLLERS[c].label} memory (high)`,
        `${mib(ASSUMPTIONS.controllerBaseBytes)} + ${ASSUMPTIONS.goHeapFactor} x cache`,
        `${mib(controllerMemoryBytes(c, runs, ttl))}: request and limit **${memoryQuantityOf(controllerMemoryBytes(c, runs, ttl))}**`,
      ]),
      ["etcd: live objects", "Workflows kept + pods", `${mib(etcdLow.live)} - ${mib(etcdHigh.live)}`],
      ["etcd: one compaction window", `${runs} x ${n(workflowWritesPerRunPerSecond, 3)}/s x 300 s x average size`, `${gib(etcdLow.window)} - ${gib(etcdHigh.window)}`],
      ["etcd: total against a 2 GiB quota (EKS: 8 GiB)", "live + window", `${pct(etcdLow.total / etcdLow.quota)} - ${pct(etcdHigh.total / etcdHigh.quota)} (EKS: ${pct(etcdLow.total / EKS_ETCD_QUOTA_BYTES)} - ${pct(etcdHigh.total / EKS_ETCD_QUOTA_BYTES)})`],
      ["reports to the API server", `${runs} x (${n(workflowWritesPerRunPerSecond, 3)} + 1/${ASSUMPTIONS.agentResyncSeconds}) per second`, `${n(reportsPerSecond(runs), 1)}/s`],
      ["persistence agent NUM_WORKERS", `reports/s x ${ASSUMPTIONS.reportSeconds} s x ${ASSUMPTIONS.workerHeadroom}`, `**${agentWorkers(runs)}**`],
      ["SubjectAccessReviews (multi-user)", `reports + ${ASSUMPTIONS.users} users x ${ASSUMPTIONS.uiCallsPerUserPerSecond}/s`, `${n(sarPerSecond(runs), 1)}/s; upstream's QPS 5 is spent at ${upstreamSarRuns} runs`],
      ["CLIENTQPS / CLIENTBURST (multi-user)", `SAR/s x ${ASSUMPTIONS.qpsHeadroom}, to tens; burst 2x`, `**${sar.qps} / ${sar.burst}**`],
      ["MySQL connections (2 API servers)", "queries in flight + 2 idle per pool (database/sql) + cache server, ML Metadata, jobs", `${db.total} (of MySQL's default ${MYSQL_DEFAULT_MAX_CONNECTIONS})`],
      ["ArgoWorkflowObjectsHigh threshold", "Workflows kept x 1.25", `${n(workflowObjectsBound(runs, ttl))}`],
    ],
  );
}

/** For every stack: what binds first at 100, 500 and 1,000 submitted concurrent runs. */
export function bindsTable(root: string, stacks = listStacks(root)): string {
  const rows = stacks.map((stack) => {
    const file = loadStackFile(root, stack);
    const config = parseStackConfig(file.config, file.file, file.secretKeys);
    const sized = sizedStackOf(config);
    const cells = [100, 500, 1000].map((submitted) => {
      const { running, capped, loads } = loadsAt(submitted, sized);
      const top = bindingLoad(loads);
      const cap = capped ? `Argo's cap (${submitted - running} wait Pending); then ` : "";
      return `${cap}${top.what} ${pct(top.ratio)}`;
    });
    return [stack, config.kfp.profile, n(sized.parallelism), ...cells];
  });
  return table(["stack", "profile", "cap", "at 100 runs", "at 500 runs", "at 1,000 runs"], rows);
}

/** Every generated block of docs/scaling.md, by marker name. */
export function scalingBlocks(root: string): Record<string, string> {
  return { assumptions: assumptionsTable(), production: productionTable(), binds: bindsTable(root) };
}

const marker = (name: string) => new RegExp(`(<!-- sizing:${name} -->\\n)[\\s\\S]*?(<!-- /sizing:${name} -->)`);

/** The document with each block replaced by its rendering; throws when a marker is missing. */
export function renderScalingDoc(text: string, blocks: Record<string, string>): string {
  let out = text;
  for (const [name, body] of Object.entries(blocks)) {
    if (!marker(name).test(out)) throw new Error(`docs/scaling.md: no <!-- sizing:${name} --> ... <!-- /sizing:${name} --> block`);
    out = out.replace(marker(name), (_m, open: string, close: string) => `${open}${body}\n${close}`);
  }
  return out;
}
