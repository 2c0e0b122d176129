// npm run bench: plans every example stack, each in a fresh process as a user's `npm run plan -- <stack>`
// would, then all stacks together in one process, and reports wall time and peak memory (max RSS).
// Targets (issue #2): every stack together under 10 s and under 1 GiB on a 2-core machine.
//
// npm run bench -- db: KFP's tasks table in a throwaway MariaDB at 100k, 500k and 1M rows, the report and
// cache-lookup statements with and without the kit's indexes (engine/db-bench.ts; issue #23). On a 2-core
// machine 128 s when idle, ~10 minutes when shared (load average 8); 2 GiB of memory and 1.5 GiB of disk
// under the temp directory; needs mariadb-server.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { capacityOf } from "../capacity";
import { planStack } from "../plan";
import { listStacks } from "../stack-file";

const root = resolve(__dirname, "../..");

/** What the child reports as it exits: its peak RSS and the cloud SDKs it loaded. */
const REPORT = `process.on("exit", () => process.stderr.write("\\nmaxrss " + process.resourceUsage().maxRSS + "\\nsdks " + [...new Set(Object.keys(require.cache).map((k) => /node_modules\\/@pulumi\\/(aws|gcp)\\//.exec(k)?.[1]).filter(Boolean))].sort().join(",") + "\\n"));`;

/** Runs the plan CLI in a fresh process: wall time measured here, peak RSS and cloud SDKs reported by the child itself. */
function measure(out: string, stacks: string[]): { seconds: number; peakMiB: number; sdks: string; status: number | null } {
  const started = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    ["--import", "tsx", "-e", `${REPORT} process.argv.splice(1, 0, "plan"); require(${JSON.stringify(join(root, "engine/cli/plan.ts"))});`, "--", "--out", out, ...stacks],
    { cwd: root, encoding: "utf8" },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const kib = Number(/maxrss (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  return { seconds, peakMiB: kib / 1024, sdks: /sdks (.*)/.exec(r.stderr)?.[1] || "-", status: r.status };
}

if (process.argv[2] === "db") {
  const { DEFAULT_DB_BENCH, runDbBench }: typeof import("../db-bench") = require("../db-bench");
  const started = Date.now();
  runDbBench({ ...DEFAULT_DB_BENCH, log: (line) => console.log(line) }).then(
    ({ rows }) => {
      const n = (indexed: boolean) => (indexed ? DEFAULT_DB_BENCH.samplesWith : DEFAULT_DB_BENCH.samplesWithout);
      console.log(`\n| rows | statement | p50 without | p99 without (${n(false)} samples) | p50 with | p99 with (${n(true)} samples) |\n| ---: | --- | ---: | ---: | ---: | ---: |`);
      for (const size of DEFAULT_DB_BENCH.sizes) {
        for (const query of ["report", "cache lookup"] as const) {
          const [without, withIndex] = [false, true].map((indexed) => rows.find((r) => r.rows === size && r.query === query && r.indexed === indexed)!);
          const ms = (v: number) => (v >= 10 ? v.toFixed(0) : v.toFixed(1));
          console.log(`| ${size.toLocaleString("en")} | ${query} | ${ms(without.p50)} ms | ${ms(without.p99)} ms | ${ms(withIndex.p50)} ms | ${ms(withIndex.p99)} ms |`);
        }
      }
      console.log(`\ndb bench: ${((Date.now() - started) / 1000).toFixed(0)} s`);
    },
    (e) => {
      console.error(String(e));
      process.exit(1);
    },
  );
} else {
  benchPlans();
}

function benchPlans() {
  const out = mkdtempSync(join(tmpdir(), "kfp-bench-"));
  const stacks = listStacks(root);
  console.log(`node ${process.version}, ${stacks.length} stacks`);
  console.log("stack                wall (s)   peak RSS (MiB)   exit   cloud SDKs loaded");
  const row = (label: string, m: ReturnType<typeof measure>) =>
    console.log(`${label.padEnd(20)} ${m.seconds.toFixed(2).padStart(8)}   ${m.peakMiB.toFixed(0).padStart(14)}   ${String(m.status).padStart(4)}   ${m.sdks}`);
  for (const stack of stacks) row(stack, measure(out, [stack]));
  const all = measure(out, stacks);
  row("(all together)", all);
  console.log(`targets: all stacks < 10 s: ${all.seconds < 10 ? "met" : "MISSED"}; < 1024 MiB: ${all.peakMiB < 1024 ? "met" : "MISSED"}`);

  // What each stack's control plane asks of its cluster (target for local: a 4-CPU, 8 GiB laptop cluster
  // with room for a run).
  void (async () => {
    console.log("\nstack                cpu requests   memory requests   memory limits   pods");
    for (const stack of stacks) {
      const plan = await planStack(stack, { root, outDir: null });
      const c = capacityOf(plan.objects);
      const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
      console.log(`${stack.padEnd(20)} ${c.cpuRequest.toFixed(2).padStart(12)}   ${gib(c.memoryRequest).padStart(15)}   ${gib(c.memoryLimit).padStart(13)}   ${c.pods}`);
    }
  })();
}
