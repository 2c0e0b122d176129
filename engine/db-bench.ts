// `npm run bench -- db`: KFP 2.14.0's tasks table (gorm's DDL) in a throwaway MariaDB, filled to 100k,
// 500k and 1M rows with a realistic mix, and the two statements issue #23 is about timed with and without
// the kit's indexes (modules/kfp/db-indexes.ts): the report's lookup by PodName and the cache lookup.
//
// The rows, per run (70 of them, as a 60-node pipeline with 10 cached steps leaves them):
// - 60 rows the persistence agent writes for the Workflow's nodes (server/api_converter.go:1673-1717
//   toModelTasks from the execution spec): PodName the Argo node ID, unique; Fingerprint and PipelineName
//   empty; the Workflow's creation time; a state history and, for DAG nodes, child pods; a ~650-byte
//   Payload (the task as JSON, task_store.go:400).
// - 10 rows the driver writes for cacheable steps (v2/driver/cache.go:113-137 createCache -> CreateTask):
//   PodName empty, PipelineName "pipeline/<name>", Fingerprint the SHA-256 of the step's cache key, the
//   same fingerprint again whenever a later run of the same pipeline has the same inputs (here: one of 20
//   input variants per step, so each fingerprint recurs in ~1 of 20 runs of its pipeline).
// 50 pipelines, one namespace, a run every 10 minutes. Rows come from a numbers table built by INSERT ...
// SELECT doubling, then one INSERT ... SELECT per size: no client round trip per row.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpus, loadavg, totalmem } from "node:os";
import { KFP_DDL, cacheLookupQueries, reportQuery } from "../test/fixtures/kfp-2.14.0-db";
import { startMariaDb, type MariaDb } from "../test/mariadb";
import { indexSql, TASK_INDEXES } from "../modules/kfp/db-indexes";

export const ROWS_PER_RUN = 70;
const NODE_ROWS = 60;
export const PIPELINES = 50;
const VARIANTS = 20;
const NAMESPACE = "kubeflow";
const FIRST_RUN_AT = 1_700_000_000;
const RUN_EVERY_SECONDS = 600;

/** SQL: a table `bench_numbers` holding 0 .. 2^doublings - 1, by doubling. */
export function numbersSql(doublings: number): string {
  const lines = ["CREATE TABLE bench_numbers (n INT NOT NULL PRIMARY KEY) ENGINE=InnoDB;", "INSERT INTO bench_numbers VALUES (0);"];
  for (let i = 0; i < doublings; i++) lines.push("SET @c = (SELECT COUNT(*) FROM bench_numbers);", "INSERT INTO bench_numbers SELECT n + @c FROM bench_numbers;");
  return lines.join("\n");
}

/** A v4-shaped UUID from an MD5, as SQL and in TypeScript (same text). */
const uuidSql = (seed: string) =>
  `LOWER(CONCAT(SUBSTR(MD5(${seed}),1,8),'-',SUBSTR(MD5(${seed}),9,4),'-4',SUBSTR(MD5(${seed}),14,3),'-8',SUBSTR(MD5(${seed}),18,3),'-',SUBSTR(MD5(${seed}),21,12)))`;
export function runUuid(run: number): string {
  const h = createHash("md5").update(`run${run}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
/** The fingerprint of step `step` of run `run` (its pipeline is run % PIPELINES, its input variant (run / PIPELINES) % VARIANTS). */
export function fingerprint(run: number, step: number): string {
  return createHash("sha256").update(`p${run % PIPELINES}/step${step}/v${Math.floor(run / PIPELINES) % VARIANTS}`).digest("hex");
}
export const pipelineNameOf = (run: number) => `pipeline/pipeline-${run % PIPELINES}`;

/**
 * SQL: the runs and tasks of rows [from, to) (row n belongs to run n DIV 70). Runs are inserted with
 * INSERT IGNORE, since a size boundary can fall inside a run.
 */
export function fillSql(from: number, to: number): string {
  const firstRun = Math.floor(from / ROWS_PER_RUN);
  const lastRun = Math.floor((to - 1) / ROWS_PER_RUN);
  const runs = `INSERT IGNORE INTO run_details (UUID, DisplayName, Name, Description, Namespace, ExperimentUUID, StorageState, ServiceAccount, PipelineId, PipelineName, CreatedAtInSec, ScheduledAtInSec, FinishedAtInSec, Conditions, State, StateHistory, PipelineRuntimeManifest, WorkflowRuntimeManifest)
SELECT ${uuidSql("CONCAT('run', n)")}, CONCAT('pipeline-', n MOD ${PIPELINES}, ' run ', n), CONCAT('pipeline-', n MOD ${PIPELINES}, '-', LPAD(LOWER(CONV(n, 10, 36)), 5, '0')), '', '${NAMESPACE}',
  ${uuidSql("CONCAT('experiment', n MOD 5)")}, 'AVAILABLE', 'pipeline-runner', ${uuidSql("CONCAT('pipeline', n MOD " + PIPELINES + ")")}, CONCAT('pipeline-', n MOD ${PIPELINES}),
  ${FIRST_RUN_AT} + n * ${RUN_EVERY_SECONDS}, ${FIRST_RUN_AT} + n * ${RUN_EVERY_SECONDS}, ${FIRST_RUN_AT} + n * ${RUN_EVERY_SECONDS} + 3600, 'Succeeded', 'SUCCEEDED', '[]', '', ''
FROM bench_numbers WHERE n BETWEEN ${firstRun} AND ${lastRun};`;
  // x: one row per task with the values several columns share.
  const x = `SELECT n, r, s, p, created, wf, ${uuidSql("CONCAT('task', n)")} AS uuid, ${uuidSql("CONCAT('run', r)")} AS run_uuid,
      CONCAT(wf, '-', LPAD(s * 100000000 + CRC32(CONCAT('pod', n)) MOD 100000000, 10, '0')) AS pod,
      SHA2(CONCAT('p', p, '/step', s - ${NODE_ROWS}, '/v', (r DIV ${PIPELINES}) MOD ${VARIANTS}), 256) AS fp
    FROM (SELECT n, n DIV ${ROWS_PER_RUN} AS r, n MOD ${ROWS_PER_RUN} AS s, (n DIV ${ROWS_PER_RUN}) MOD ${PIPELINES} AS p,
            ${FIRST_RUN_AT} + (n DIV ${ROWS_PER_RUN}) * ${RUN_EVERY_SECONDS} AS created,
            CONCAT('pipeline-', (n DIV ${ROWS_PER_RUN}) MOD ${PIPELINES}, '-', LPAD(LOWER(CONV(n DIV ${ROWS_PER_RUN}, 10, 36)), 5, '0')) AS wf
          FROM bench_numbers WHERE n >= ${from} AND n < ${to}) AS base`;
  const node = `s < ${NODE_ROWS}`;
  const started = `IF(${node}, created + s * 30, created + (s - ${NODE_ROWS}) * 60)`;
  const finished = `${started} + 60`;
  const children = `IF(s MOD 6 = 0, CONCAT('["', wf, '-1000000001","', wf, '-1000000002","', wf, '-1000000003","', wf, '-1000000004","', wf, '-1000000005"]'), '')`;
  const history = `CONCAT('[{"UpdateTimeInSec":', ${started}, ',"State":"RUNNING"},{"UpdateTimeInSec":', ${finished}, ',"State":"SUCCEEDED"}]')`;
  const tasks = `INSERT INTO tasks (UUID, Namespace, PipelineName, RunUUID, PodName, MLMDExecutionID, CreatedTimestamp, StartedTimestamp, FinishedTimestamp, Fingerprint, Name, ParentTaskUUID, State, StateHistory, MLMDInputs, MLMDOutputs, ChildrenPods, Payload)
SELECT uuid, '${NAMESPACE}',
  IF(${node}, '', CONCAT('pipeline/pipeline-', p)),
  run_uuid,
  IF(${node}, pod, ''),
  IF(${node}, '', CAST(n AS CHAR)),
  IF(${node}, created, ${started}),
  ${started}, ${finished},
  IF(${node}, '', fp),
  IF(${node}, CONCAT('step-', s), ''),
  '',
  IF(${node}, 'SUCCEEDED', 'RUNTIME_STATE_UNSPECIFIED'),
  IF(${node}, ${history}, 'null'),
  '', '',
  IF(${node}, ${children}, 'null'),
  IF(${node},
    CONCAT('{"UUID":"', uuid, '","Namespace":"${NAMESPACE}","PipelineName":"","RunId":"', run_uuid, '","PodName":"', pod, '","MLMDExecutionID":"","CreatedTimestamp":', created,
      ',"StartedTimestamp":', ${started}, ',"FinishedTimestamp":', ${finished}, ',"Fingerprint":"","Name":"step-', s, '","ParentTaskId":"","State":"SUCCEEDED","StateHistoryString":"","MLMDInputs":"","MLMDOutputs":"","ChildrenPodsString":"","StateHistory":',
      ${history}, ',"ChildrenPods":', IF(s MOD 6 = 0, ${children}, 'null'), ',"Payload":""}'),
    CONCAT('{"UUID":"', uuid, '","Namespace":"${NAMESPACE}","PipelineName":"pipeline/pipeline-', p, '","RunId":"', run_uuid, '","PodName":"","MLMDExecutionID":"', n, '","CreatedTimestamp":', ${started},
      ',"StartedTimestamp":', ${started}, ',"FinishedTimestamp":', ${finished}, ',"Fingerprint":"', fp, '","Name":"","ParentTaskId":"","State":"","StateHistoryString":"","MLMDInputs":"","MLMDOutputs":"","ChildrenPodsString":"","StateHistory":null,"ChildrenPods":null,"Payload":""}'))
FROM (${x}) AS t;`;
  return `${runs}\n${tasks}`;
}

/** A deterministic PRNG (mulberry32), so every bench run picks the same runs and steps. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs SQL as root in `database` with room for large results; returns stdout. */
function run(db: MariaDb, database: string, statements: string): string {
  const r = spawnSync("mariadb", ["--no-defaults", "-h", "127.0.0.1", "-P", String(db.port), "-u", "root", "--batch", "--skip-column-names", database], {
    input: statements,
    encoding: "utf8",
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(r.stderr.trim() || `mariadb exited ${r.status}`);
  return r.stdout;
}

/**
 * Waits until InnoDB has written a fill's dirty pages back (at most two minutes), so the page cleaner
 * does not compete with the measurements, and leaves the server's flushing as it was.
 */
async function settle(db: MariaDb): Promise<void> {
  db.sql("SET GLOBAL innodb_max_dirty_pages_pct = 0;");
  for (let i = 0; i < 240 && Number(db.sql("SELECT VARIABLE_VALUE FROM information_schema.global_status WHERE VARIABLE_NAME = 'INNODB_BUFFER_POOL_PAGES_DIRTY';").trim()) > 100; i++) {
    await new Promise((r) => setTimeout(r, 500));
  }
  db.sql("SET GLOBAL innodb_max_dirty_pages_pct = 90;");
}

/** Milliseconds of each sample: each statement group is timed by the server's clock around it, in one session. */
function timeSamples(db: MariaDb, samples: readonly string[]): number[] {
  const script = samples.map((s) => `SET @t0 = SYSDATE(6);\n${s}\nSELECT 'sample-us', TIMESTAMPDIFF(MICROSECOND, @t0, SYSDATE(6));`).join("\n");
  const out = run(db, "mlpipeline", script);
  return [...out.matchAll(/^sample-us\t(\d+)$/gm)].map((m) => Number(m[1]) / 1000);
}

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

export interface BenchRow {
  rows: number;
  query: "report" | "cache lookup";
  indexed: boolean;
  samples: number;
  p50: number;
  p99: number;
  /** EXPLAIN: the access type and key of the statement that reads `tasks`. */
  plan: string;
}

/** The statements of one report and one cache lookup for `count` runs picked at random among the first `runs`. */
function workload(db: MariaDb, runs: number, count: number, seed: number) {
  const next = random(seed);
  const picked = Array.from({ length: count }, () => Math.floor(next() * runs));
  // The report of a run in flight names every node its Workflow has: its 60 pod names.
  const podsByRun = new Map<string, string[]>();
  const out = run(db, "mlpipeline", `SELECT RunUUID, PodName FROM tasks WHERE RunUUID IN (${picked.map((r) => `'${runUuid(r)}'`).join(",")}) AND PodName <> '';`);
  for (const line of out.trim().split("\n")) {
    const [runId, pod] = line.split("\t");
    podsByRun.set(runId, [...(podsByRun.get(runId) ?? []), pod]);
  }
  const reports = picked.map((r) => reportQuery(podsByRun.get(runUuid(r)) ?? []) + ";");
  // The driver asks for a step's fingerprint before running it; KFP wraps page and count in a transaction.
  const lookups = picked.map((r) => {
    const [page, count] = cacheLookupQueries(fingerprint(r, Math.floor(next() * (ROWS_PER_RUN - NODE_ROWS))), pipelineNameOf(r), NAMESPACE);
    return `START TRANSACTION;\n${page};\n${count};\nCOMMIT;`;
  });
  return { reports, lookups, first: { report: reports[0], lookup: lookups[0] } };
}

/** "type key" of the EXPLAIN rows of `statement` that read tasks. */
function explain(db: MariaDb, statement: string): string {
  const stmts = statement.split(";\n").filter((s) => /^SELECT/.test(s.trim()));
  return stmts
    .map((s) => run(db, "mlpipeline", `EXPLAIN ${s.replace(/;$/, "")};`).trim().split("\n").map((l) => l.split("\t")).filter((c) => c[2] === "tasks").map((c) => `${c[3]} ${c[5]}`).join(","))
    .join(" + ");
}

export interface DbBenchOptions {
  readonly sizes: readonly number[];
  /** Samples per statement without and with the indexes (a full scan costs up to a second at 1M rows). */
  readonly samplesWithout: number;
  readonly samplesWith: number;
  readonly log: (line: string) => void;
}

/** 128 s on an idle 2-core machine, most of it filling and in full scans; p99 of 10 samples is their maximum. */
export const DEFAULT_DB_BENCH: Omit<DbBenchOptions, "log"> = { sizes: [100_000, 500_000, 1_000_000], samplesWithout: 10, samplesWith: 200 };

/** The whole benchmark; returns its rows and how long each index took to build at each size. */
export async function runDbBench(options: DbBenchOptions): Promise<{ rows: BenchRow[]; builds: { rows: number; seconds: number }[]; fills: { rows: number; seconds: number }[] }> {
  const { log } = options;
  // A 2 GiB buffer pool holds the whole table (1.4 GB at 1M rows), so "without" measures the scan itself;
  // a server whose buffer pool is smaller than the table reads it from disk on every scan, and does much
  // worse (docs/scaling.md). Binary log off (test/mariadb.ts), and no durability the bench does not need.
  // A high I/O capacity lets the page cleaner write a fill back in seconds (settle, below).
  const db = await startMariaDb([
    "--innodb-buffer-pool-size=2G",
    "--innodb-log-file-size=512M",
    "--innodb-flush-log-at-trx-commit=2",
    "--innodb-doublewrite=0",
    "--innodb-io-capacity=20000",
    "--innodb-io-capacity-max=40000",
  ]);
  const rows: BenchRow[] = [];
  const builds: { rows: number; seconds: number }[] = [];
  const fills: { rows: number; seconds: number }[] = [];
  try {
    const version = db.sql("SELECT VERSION();").trim();
    log(`MariaDB ${version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadavg()[0].toFixed(1)}, buffer pool 2 GiB`);
    db.sql("CREATE DATABASE mlpipeline DEFAULT CHARACTER SET utf8mb4;");
    run(db, "mlpipeline", KFP_DDL);
    const largest = Math.max(...options.sizes);
    run(db, "mlpipeline", numbersSql(Math.ceil(Math.log2(largest))));
    let filled = 0;
    for (const size of options.sizes) {
      const started = Date.now();
      // The generated rows are consistent by construction: no foreign-key lookup per row.
      run(db, "mlpipeline", `SET SESSION foreign_key_checks = 0;\n${fillSql(filled, size)}\nANALYZE TABLE tasks, run_details;`);
      fills.push({ rows: size, seconds: (Date.now() - started) / 1000 });
      log(`filled tasks to ${size} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const settling = Date.now();
      await settle(db);
      log(`  InnoDB wrote the fill back in ${((Date.now() - settling) / 1000).toFixed(1)} s`);
      filled = size;
      const runs = Math.floor(size / ROWS_PER_RUN);
      for (const indexed of [false, true]) {
        if (indexed) {
          const t = Date.now();
          run(db, "mlpipeline", indexSql());
          builds.push({ rows: size, seconds: (Date.now() - t) / 1000 });
          log(`built the indexes online at ${size} rows in ${((Date.now() - t) / 1000).toFixed(1)} s`);
        }
        const n = indexed ? options.samplesWith : options.samplesWithout;
        const w = workload(db, runs, n, size);
        // Warm up: the first scan after a fill or an index build reads pages the others find cached.
        timeSamples(db, [w.reports[0], w.lookups[0]]);
        for (const [query, samples, first] of [
          ["report", w.reports, w.first.report],
          ["cache lookup", w.lookups, w.first.lookup],
        ] as const) {
          const times = timeSamples(db, samples);
          const row: BenchRow = { rows: size, query, indexed, samples: times.length, p50: percentile(times, 50), p99: percentile(times, 99), plan: explain(db, first) };
          rows.push(row);
          log(`  ${String(size).padStart(8)} rows  ${query.padEnd(12)}  ${indexed ? "with   " : "without"}  p50 ${row.p50.toFixed(2).padStart(8)} ms  p99 ${row.p99.toFixed(2).padStart(8)} ms  (${row.samples} samples; ${row.plan})`);
        }
      }
      if (size !== largest) run(db, "mlpipeline", TASK_INDEXES.map((i) => `DROP INDEX \`${i.name}\` ON \`${i.table}\`;`).join("\n"));
    }
    return { rows, builds, fills };
  } finally {
    await db.stop();
  }
}
