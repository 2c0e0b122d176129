// Run retention (kfp.runRetentionDays; modules/kfp/run-retention.ts): the CronJob's own script, taken from
// the plan, against a stub of KFP 2.14.0's v2beta1 run API that records every call and answers as the API
// server does (proto field names, the filter parsed from its URL-encoded JSON, page tokens that must repeat
// their filter, 404 for a run that is gone, namespaces and bearer tokens in multi-user mode). And the
// CronJob's wiring in single- and multi-user plans; off by default.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { RUN_RETENTION_NAME, RUN_RETENTION_SCHEDULE, retentionScript } from "../modules/kfp/run-retention";
import { configProblems, findObject, freePort, multiUserLocal, REPO_ROOT, stackYaml, tempRoot } from "./helpers";

const DAY = 86_400_000;
const TOKEN = "sa-token-abc";

interface StubRun {
  run_id: string;
  namespace: string;
  created: number;
  state: string;
  storage_state: "AVAILABLE" | "ARCHIVED";
}
interface Call {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
}

/** A stub of KFP's run API (server/run_server.go, list/list.go, list_request_util.go at 2.14.0). */
class StubKfp {
  runs: StubRun[] = [];
  calls: Call[] = [];
  multiUser = false;
  /** run_id -> HTTP status the next call on it answers with. */
  failures = new Map<string, number>();
  private server: Server = createServer((req, res) => this.handle(req.method!, new URL(req.url!, "http://stub"), req.headers.authorization, res));
  port = 0;

  async start() {
    this.port = await freePort();
    await new Promise<void>((r) => this.server.listen(this.port, "127.0.0.1", r));
  }
  stop = () => new Promise<void>((r) => this.server.close(() => r()));

  private handle(method: string, url: URL, authorization: string | undefined, res: import("node:http").ServerResponse) {
    const query = Object.fromEntries(url.searchParams);
    this.calls.push({ method, path: url.pathname, query, ...(authorization ? { authorization } : {}) });
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, message: string) => send(status, { error: message, code: status === 404 ? 5 : 3, message });
    if (this.multiUser && authorization !== `Bearer ${TOKEN}`) return error(401, "Failed to check authorization. User identity is empty in the request header");
    if (method === "GET" && url.pathname === "/apis/v2beta1/runs") return this.list(query, send, error);
    const m = /^\/apis\/v2beta1\/runs\/([^/:]+)(:archive)?$/.exec(url.pathname);
    if (!m) return error(404, `no route ${method} ${url.pathname}`);
    const id = decodeURIComponent(m[1]);
    const run = this.runs.find((r) => r.run_id === id);
    const failure = this.failures.get(id);
    if (failure) return error(failure, `injected failure for ${id}`);
    if (!run) return error(404, `Failed to delete run ${id} as it does not exist`);
    if (method === "DELETE" && !m[2]) {
      this.runs = this.runs.filter((r) => r !== run);
      return send(200, {});
    }
    if (method === "POST" && m[2]) {
      run.storage_state = "ARCHIVED";
      return send(200, {});
    }
    return error(405, `${method} not allowed`);
  }

  private list(query: Record<string, string>, send: (s: number, b: unknown) => void, error: (s: number, m: string) => void) {
    // parseAPIFilter: QueryUnescape of the (already query-decoded) value, then protojson into v2beta1.Filter.
    let filter: any;
    try {
      filter = JSON.parse(decodeURIComponent((query.filter ?? "").replace(/\+/g, " ")));
    } catch {
      return error(400, `failed to parse valid filter from ${JSON.stringify(query.filter)}`);
    }
    const predicates = filter.predicates ?? [];
    if (predicates.length !== 1 || Object.keys(predicates[0]).sort().join() !== "key,operation,timestamp_value") return error(400, `unexpected filter ${query.filter}`);
    const [p] = predicates;
    if (p.key !== "created_at" || p.operation !== "LESS_THAN" || Number.isNaN(Date.parse(p.timestamp_value))) return error(400, `unexpected predicate ${JSON.stringify(p)}`);
    if (query.sort_by !== "created_at asc") return error(400, `unexpected sort ${query.sort_by}`);
    if (this.multiUser && !query.namespace) return error(400, "A run cannot have an empty namespace in multi-user mode");
    const pageSize = Math.min(Number(query.page_size || 20), 200);
    let offset = 0;
    if (query.page_token) {
      const token = JSON.parse(Buffer.from(query.page_token, "base64").toString());
      if (token.filter !== query.filter || token.sort !== query.sort_by) return error(400, "page token does not match the supplied sort by and/or filtering criteria");
      offset = token.offset;
    }
    // KFP compares CreatedAtInSec with the timestamp's Unix seconds.
    const before = Math.floor(Date.parse(p.timestamp_value) / 1000);
    const matching = this.runs
      .filter((r) => (!query.namespace || r.namespace === query.namespace) && Math.floor(r.created / 1000) < before)
      .sort((a, b) => a.created - b.created || a.run_id.localeCompare(b.run_id));
    const page = matching.slice(offset, offset + pageSize);
    const more = offset + pageSize < matching.length;
    send(200, {
      runs: page.map((r) => ({
        experiment_id: "e1",
        run_id: r.run_id,
        display_name: `run ${r.run_id}`,
        storage_state: r.storage_state,
        created_at: new Date(r.created).toISOString(),
        ...(r.state === "RUNTIME_STATE_UNSPECIFIED" ? {} : { state: r.state }),
        pipeline_spec: { pipelineInfo: { name: "p" }, root: { dag: { tasks: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`t${i}`, { taskInfo: { name: `t${i}` } }])) } } },
      })),
      total_size: matching.length,
      ...(more ? { next_page_token: Buffer.from(JSON.stringify({ offset: offset + pageSize, filter: query.filter, sort: query.sort_by })).toString("base64") } : {}),
    });
  }
}

const ago = (days: number) => Date.now() - days * DAY;
const run = (run_id: string, days: number, state = "SUCCEEDED", storage_state: StubRun["storage_state"] = "AVAILABLE", namespace = "kubeflow"): StubRun => ({ run_id, namespace, created: ago(days), state, storage_state });

describe("the run-retention script against a stub of KFP's run API", () => {
  const stub = new StubKfp();
  let script: string;
  let dir: string;
  let single: PlanResult;

  before(async () => {
    single = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:kfp: { runRetentionDays: 30, runArchiveDays: 7 }\n") }), outDir: null, policyConfig: false });
    assert.deepEqual(single.problems, []);
    dir = mkdtempSync(join(tmpdir(), "kfp-run-retention-"));
    script = join(dir, "retention.mjs");
    writeFileSync(script, (findObject(single, "ConfigMap", RUN_RETENTION_NAME) as any).data["retention.mjs"]);
    writeFileSync(join(dir, "token"), `${TOKEN}\n`);
    await stub.start();
  });
  after(() => stub.stop());

  function runScript(env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
    stub.calls = [];
    const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? "", KFP_API: `http://127.0.0.1:${stub.port}`, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve) => child.on("exit", (status) => resolve({ status, stdout, stderr })));
  }
  const ids = (method: string, suffix = "") => stub.calls.filter((c) => c.method === method && c.path.endsWith(suffix)).map((c) => decodeURIComponent(c.path.split("/").pop()!.replace(suffix, "")));

  it("is the script the plan ships", () => {
    assert.equal((findObject(single, "ConfigMap", RUN_RETENTION_NAME) as any).data["retention.mjs"], retentionScript());
  });

  it("deletes every finished run older than the retention, page after page, and keeps runs still going and recent ones", async () => {
    stub.multiUser = false;
    const old = Array.from({ length: 230 }, (_, i) => run(`old-${String(i).padStart(3, "0")}`, 31 + i / 10));
    stub.runs = [...old, run("failed", 40, "FAILED"), run("canceled", 45, "CANCELED"), run("skipped", 50, "SKIPPED"), run("running", 60, "RUNNING"), run("unknown", 70, "RUNTIME_STATE_UNSPECIFIED"), run("recent", 29), run("new", 1)];
    const r = await runScript({ RETENTION_DAYS: "30" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(stub.runs.map((x) => x.run_id).sort(), ["new", "recent", "running", "unknown"]);
    assert.deepEqual(ids("DELETE").sort(), [...old.map((x) => x.run_id), "canceled", "failed", "skipped"].sort());
    assert.deepEqual(ids("POST", ":archive"), []);
    // Three pages of 100 (235 runs are older than 30 days), all listed before the first deletion.
    const lists = stub.calls.filter((c) => c.method === "GET");
    assert.equal(lists.length, 3);
    assert.ok(stub.calls.findIndex((c) => c.method === "DELETE") > stub.calls.lastIndexOf(lists[2]));
    for (const c of lists) {
      assert.equal(c.query.page_size, "100");
      assert.equal(c.query.namespace, undefined);
      const cutoff = Date.parse(JSON.parse(c.query.filter).predicates[0].timestamp_value);
      assert.ok(Math.abs(cutoff - ago(30)) < 60_000, c.query.filter);
    }
    assert.match(r.stdout, /all namespaces: 233 deleted, 0 archived, 2 not finished \(kept\), 0 failed/);
  });

  it("with runArchiveDays, archives first and deletes only archived runs", async () => {
    stub.runs = [
      run("archived-old", 40, "SUCCEEDED", "ARCHIVED"),
      run("available-old", 40),
      run("available-mid", 10, "FAILED"),
      run("archived-mid", 10, "SUCCEEDED", "ARCHIVED"),
      run("running-mid", 10, "RUNNING"),
      run("young", 3),
    ];
    const r = await runScript({ RETENTION_DAYS: "30", ARCHIVE_DAYS: "7" });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ids("DELETE"), ["archived-old"]);
    assert.deepEqual(ids("POST", ":archive").sort(), ["available-mid", "available-old"]);
    // The list reaches back to the archive age.
    const cutoff = Date.parse(JSON.parse(stub.calls[0].query.filter).predicates[0].timestamp_value);
    assert.ok(Math.abs(cutoff - ago(7)) < 60_000);
    // The next day's pass deletes what was archived past the retention.
    const next = await runScript({ RETENTION_DAYS: "30", ARCHIVE_DAYS: "7" });
    assert.equal(next.status, 0, next.stderr);
    assert.deepEqual(ids("DELETE"), ["available-old"]);
    assert.deepEqual(stub.runs.map((x) => x.run_id).sort(), ["archived-mid", "available-mid", "running-mid", "young"]);
  });

  it("multi-user: lists each team namespace and authenticates every call with its ServiceAccount token", async () => {
    stub.multiUser = true;
    stub.runs = [run("v-old", 40, "SUCCEEDED", "AVAILABLE", "vision"), run("n-old", 40, "FAILED", "AVAILABLE", "nlp"), run("n-new", 2, "SUCCEEDED", "AVAILABLE", "nlp"), run("other-old", 40, "SUCCEEDED", "AVAILABLE", "elsewhere")];
    const r = await runScript({ RETENTION_DAYS: "30", NAMESPACES: "vision nlp", TOKEN_FILE: join(dir, "token") });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(stub.calls.filter((c) => c.method === "GET").map((c) => c.query.namespace), ["vision", "nlp"]);
    assert.ok(stub.calls.every((c) => c.authorization === `Bearer ${TOKEN}`));
    assert.deepEqual(ids("DELETE").sort(), ["n-old", "v-old"]);
    assert.deepEqual(stub.runs.map((x) => x.run_id).sort(), ["n-new", "other-old"]);
    // Without the token KFP refuses, and the Job fails.
    const refused = await runScript({ RETENTION_DAYS: "30", NAMESPACES: "vision" });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /namespace vision: listing runs failed: GET \/apis\/v2beta1\/runs: HTTP 401/);
    stub.multiUser = false;
  });

  it("goes on past a failed call and exits 1 naming the run; a run already gone counts as deleted", async () => {
    stub.runs = [run("a", 40), run("b", 40), run("c", 40)];
    stub.failures.set("b", 500);
    const r = await runScript({ RETENTION_DAYS: "30" });
    stub.failures.clear();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /run b: DELETE \/apis\/v2beta1\/runs\/b: HTTP 500/);
    assert.deepEqual(stub.runs.map((x) => x.run_id), ["b"]);
    stub.failures.set("b", 404);
    const again = await runScript({ RETENTION_DAYS: "30" });
    stub.failures.clear();
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /1 deleted/);
  });

  it("refuses settings it cannot act on", async () => {
    for (const env of [{ RETENTION_DAYS: "0" }, { RETENTION_DAYS: "30", ARCHIVE_DAYS: "30" }, { RETENTION_DAYS: "x" }] as Record<string, string>[]) {
      const r = await runScript(env);
      assert.equal(r.status, 2, JSON.stringify(env));
      assert.match(r.stderr, /needs KFP_API/);
    }
    assert.equal(stub.calls.length, 0);
  });
});

describe("the run-retention CronJob in the plan", () => {
  it("is off by default", async () => {
    const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
    assert.equal(findObject(plan, "CronJob", RUN_RETENTION_NAME), undefined);
    assert.equal(findObject(plan, "ConfigMap", RUN_RETENTION_NAME), undefined);
  });

  it("single-user: calls the API's Service daily with the UI's pinned Node image, restricted and sized", async () => {
    const plan = await planStack("dev", { root: tempRoot({ dev: stackYaml("  kfp-platform:kfp: { runRetentionDays: 90 }\n") }), outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const cron = findObject(plan, "CronJob", RUN_RETENTION_NAME) as any;
    assert.equal(cron.spec.schedule, RUN_RETENTION_SCHEDULE);
    assert.equal(cron.spec.concurrencyPolicy, "Forbid");
    const pod = cron.spec.jobTemplate.spec.template.spec;
    const [c] = pod.containers;
    const ui = (findObject(plan, "Deployment", "ml-pipeline-ui") as any).spec.template.spec.containers[0];
    assert.equal(c.image, ui.image);
    assert.deepEqual(c.command, ["node", "/opt/kfp-run-retention/retention.mjs"]);
    assert.deepEqual(Object.fromEntries(c.env.map((e: any) => [e.name, e.value])), { KFP_API: "http://ml-pipeline.kubeflow:8888", RETENTION_DAYS: "90" });
    assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
    assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory);
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.volumes.length, 1, "no token: single-user KFP authorises nothing");
    assert.equal(plan.objects.filter((o) => (o.object as any).kind === "ClusterRole" && o.object.metadata.name === RUN_RETENTION_NAME).length, 0);
  });

  it("multi-user: every team namespace, a projected token for KFP's audience, and only list, archive and delete on runs", async () => {
    const plan = await planStack("multi", { root: tempRoot({ multi: multiUserLocal({ runRetentionDays: 30, runArchiveDays: 14 }) }), outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const pod = (findObject(plan, "CronJob", RUN_RETENTION_NAME) as any).spec.jobTemplate.spec.template.spec;
    const [c] = pod.containers;
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    assert.deepEqual(env, { KFP_API: "http://ml-pipeline.kubeflow:8888", RETENTION_DAYS: "30", ARCHIVE_DAYS: "14", NAMESPACES: "vision nlp", TOKEN_FILE: "/var/run/secrets/kfp-run-retention/token" });
    assert.equal(pod.serviceAccountName, RUN_RETENTION_NAME);
    const token = pod.volumes.find((v: any) => v.projected).projected.sources[0].serviceAccountToken;
    assert.equal(token.audience, "pipelines.kubeflow.org");
    assert.ok(c.volumeMounts.some((m: any) => m.mountPath === "/var/run/secrets/kfp-run-retention"));
    // `ml-pipeline` is the gateway there, which passes the bearer token on to the API server.
    assert.equal((findObject(plan, "Service", "ml-pipeline") as any).spec.selector.app, "kfp-gateway");
    const role = findObject(plan, "ClusterRole", RUN_RETENTION_NAME) as any;
    assert.deepEqual(role.rules, [{ apiGroups: ["pipelines.kubeflow.org"], resources: ["runs"], verbs: ["list", "archive", "delete"] }]);
    const binding = findObject(plan, "ClusterRoleBinding", RUN_RETENTION_NAME) as any;
    assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: RUN_RETENTION_NAME, namespace: "kubeflow" }]);
  });

  it("config: archiving needs a retention, and fewer days than it", () => {
    assert.deepEqual(configProblems({ cluster: { target: "existing" }, kfp: { runRetentionDays: 30, runArchiveDays: 7 } }, "s.yaml"), []);
    assert.match(configProblems({ cluster: { target: "existing" }, kfp: { runArchiveDays: 7 } }, "s.yaml").join("\n"), /kfp\.runArchiveDays.*set runRetentionDays too/);
    assert.match(configProblems({ cluster: { target: "existing" }, kfp: { runRetentionDays: 7, runArchiveDays: 7 } }, "s.yaml").join("\n"), /kfp\.runArchiveDays.*fewer days than runRetentionDays \(7\)/);
    assert.match(configProblems({ cluster: { target: "existing" }, kfp: { runRetentionDays: 0 } }, "s.yaml").join("\n"), /kfp\.runRetentionDays/);
  });
});
