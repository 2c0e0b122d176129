// The index Job (modules/kfp/db-indexes.ts, issue #23): its own script and SQL, taken from the local plan,
// against a real MariaDB holding KFP 2.14.0's tables as gorm creates them (test/fixtures/kfp-2.14.0-db.ts),
// logged in as the `kfp` user with the bootstrap's grants. It waits for the API server's tables, creates
// the indexes, is idempotent, and the report's and the cache lookup's statements then use them. And the
// Job is in every stack's plan, wired to that stack's database.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fillSql, fingerprint, numbersSql, pipelineNameOf, runUuid, ROWS_PER_RUN } from "../engine/db-bench";
import { planStack, type PlanResult } from "../engine/plan";
import { listStacks } from "../engine/stack-file";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/kfp-database";
import { bootstrapSql } from "../modules/data/mysql-bootstrap-script";
import { DB_INDEXES_NAME, TASK_INDEXES } from "../modules/kfp/db-indexes";
import { platformPolicies } from "../modules/kfp/multi-user/network";
import { KFP_DDL, cacheLookupQueries, reportQuery, tasksOfRunQuery } from "./fixtures/kfp-2.14.0-db";
import { findObject, multiUserLocal, REPO_ROOT, tempRoot } from "./helpers";
import { mariadbMissing, startMariaDb, type MariaDb } from "./mariadb";

const missing = mariadbMissing();
const KFP_PASSWORD = "KfpPassw0rd";
const kfp = { name: KFP_DB_USER, password: KFP_PASSWORD };
const [POD_INDEX, CACHE_INDEX] = TASK_INDEXES.map((i) => i.name);

describe("the index Job on a real server with KFP 2.14.0's tables", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  let dir: string;
  let container: any;

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    container = (findObject(plan, "Job", DB_INDEXES_NAME) as any).spec.template.spec.containers[0];
    dir = mkdtempSync(join(tmpdir(), "kfp-db-indexes-"));
    for (const [file, text] of Object.entries((findObject(plan, "ConfigMap", DB_INDEXES_NAME) as any).data)) writeFileSync(join(dir, file), text as string);
    db = await startMariaDb();
    // KFP's databases and user exactly as the bootstrap Job makes them.
    db.sql(`SET @kfp_password = '${KFP_PASSWORD}';\n${bootstrapSql(KFP_DB_USER, [...Object.values(KFP_DATABASES), "other", "never"])}`);
  });
  after(async () => db?.stop());

  /** The Job's command and env, its Secret resolved to the kfp login, pointed at the test server. */
  function jobProcess(extra: Record<string, string> = {}) {
    const secrets: Record<string, string> = { "mysql-secret/username": KFP_DB_USER, "mysql-secret/password": KFP_PASSWORD };
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    for (const e of container.env) {
      const ref = e.valueFrom?.secretKeyRef;
      const value = ref ? secrets[`${ref.name}/${ref.key}`] : e.value;
      assert.ok(value !== undefined, `env ${e.name} comes from ${JSON.stringify(e.valueFrom)}, which the test does not resolve`);
      env[e.name] = value;
    }
    Object.assign(env, { DB_HOST: "127.0.0.1", DB_PORT: String(db.port), INDEX_WAIT_INTERVAL: "1" }, extra);
    return { command: container.command[0] as string, args: [container.command[1].replace("/etc/kfp-db-indexes", dir)], env };
  }
  const runJob = (extra: Record<string, string> = {}) => {
    const p = jobProcess(extra);
    return spawnSync(p.command, p.args, { env: p.env, encoding: "utf8", timeout: 120_000 });
  };
  const indexesOf = (database: string) =>
    db.sql(`SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM information_schema.statistics WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = 'tasks' GROUP BY INDEX_NAME ORDER BY INDEX_NAME;`);
  /** EXPLAIN rows of a statement as [type, key]. */
  const explain = (database: string, statement: string) =>
    db.sql(`USE ${database};\nEXPLAIN ${statement};`).trim().split("\n").map((line) => line.split("\t")).filter((c) => c[2] === "tasks").map((c) => [c[3], c[5]]);
  /** 100 runs of realistic rows (engine/db-bench.ts): 6,000 with pod names, 1,000 cache entries. */
  const fill = (database: string) => db.sql(`USE ${database};\n${numbersSql(13)}\nSET SESSION foreign_key_checks = 0;\n${fillSql(0, 100 * ROWS_PER_RUN)}\nANALYZE TABLE tasks;`);

  it("waits while the API server has not created its tables, then creates both indexes online", async () => {
    const p = jobProcess({ INDEX_WAIT_ATTEMPTS: "60" });
    const child = spawn(p.command, p.args, { env: p.env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    for (let i = 0; i < 100 && !stdout.includes("waiting"); i++) await new Promise((r) => setTimeout(r, 100));
    assert.match(stdout, /waiting for KFP's API server to create its tables in mlpipeline/);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(child.exitCode, null, `the Job must still be waiting: ${stdout}${stderr}`);
    // What the API server's first start does (gorm AutoMigrate), as the same user.
    db.sql(`USE mlpipeline;\n${KFP_DDL}`, kfp);
    assert.equal(await exited, 0, stderr);
    assert.match(stdout, new RegExp(`${POD_INDEX} \\(PodName\\): absent, creating it online`));
    assert.match(stdout, /every index present in mlpipeline/);
    assert.equal(
      indexesOf("mlpipeline"),
      [
        `${CACHE_INDEX}\tFingerprint,PipelineName,Namespace,CreatedTimestamp`,
        `${POD_INDEX}\tPodName`,
        "PRIMARY\tUUID",
        "tasks_RunUUID_run_details_UUID_foreign\tRunUUID",
        "",
      ].join("\n"),
    );
  });

  it("runs a second time on the same server without error, keeping the indexes it finds", () => {
    const before = indexesOf("mlpipeline");
    const r = runJob();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.match(/present, kept/g)?.length, TASK_INDEXES.length, r.stdout);
    assert.doesNotMatch(r.stdout, /waiting/);
    assert.equal(indexesOf("mlpipeline"), before);
  });

  it("makes the report's lookup by PodName and both cache-lookup statements use the indexes", () => {
    fill("mlpipeline");
    const pods = db.sql(`USE mlpipeline;\nSELECT PodName FROM tasks WHERE RunUUID = '${runUuid(42)}' AND PodName <> '';`).trim().split("\n");
    assert.equal(pods.length, 60);
    const [page, count] = cacheLookupQueries(fingerprint(42, 3), pipelineNameOf(42), "kubeflow");
    assert.deepEqual(explain("mlpipeline", reportQuery(pods)), [["range", POD_INDEX]]);
    assert.deepEqual(explain("mlpipeline", page), [["ref", CACHE_INDEX]]);
    assert.deepEqual(explain("mlpipeline", count), [["ref", CACHE_INDEX]]);
    // The statements return what KFP expects: the run's tasks, and the cache entry of that step.
    assert.equal(db.sql(`USE mlpipeline;\nSELECT COUNT(*) FROM (${reportQuery(pods)}) AS r;`).trim(), "60");
    assert.equal(db.sql(`USE mlpipeline;\n${count};`).trim(), "1");
  });

  it("...which the same statements on KFP's tables alone do not: full scans (so the assertions above tell them apart)", () => {
    db.sql(`CREATE DATABASE bare DEFAULT CHARACTER SET utf8mb4;\nUSE bare;\n${KFP_DDL}`);
    fill("bare");
    const pods = db.sql(`USE bare;\nSELECT PodName FROM tasks WHERE RunUUID = '${runUuid(42)}' AND PodName <> '';`).trim().split("\n");
    const [page, count] = cacheLookupQueries(fingerprint(42, 3), pipelineNameOf(42), "kubeflow");
    for (const statement of [reportQuery(pods), page, count]) assert.deepEqual(explain("bare", statement), [["ALL", "NULL"]]);
    // The report's other lookup of tasks, by run, already has the foreign key's index.
    assert.deepEqual(explain("bare", tasksOfRunQuery(runUuid(42))), [["ref", "tasks_RunUUID_run_details_UUID_foreign"]]);
  });

  it("keeps an index on the same leading columns that another name gives (one KFP might add later) instead of adding a second", () => {
    db.sql(`USE other;\n${KFP_DDL}\nCREATE INDEX upstream_podname ON tasks (PodName);`, kfp);
    const r = runJob({ DB_NAME: "other" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`${POD_INDEX} \\(PodName\\): present, kept`));
    assert.equal(indexesOf("other").includes(POD_INDEX), false);
    assert.equal(indexesOf("other").includes(CACHE_INDEX), true);
  });

  it("fails, naming the database, when the API server never creates its tables", () => {
    const r = runJob({ DB_NAME: "never", INDEX_WAIT_ATTEMPTS: "2" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /KFP's tables did not appear in never on 127\.0\.0\.1/);
  });

  it("fails when the login is refused, with the server's error", () => {
    const r = runJob({ DB_PASSWORD: "wrong", INDEX_WAIT_ATTEMPTS: "1" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /Access denied/i);
  });
});

describe("the index Job in every stack's plan", () => {
  const plans = new Map<string, PlanResult>();
  before(async () => {
    for (const stack of listStacks(REPO_ROOT)) plans.set(stack, await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false }));
  });

  it("runs after the API server in the platform namespace, on the stack's database as the kfp user, with the bootstrap's image", () => {
    assert.ok(plans.size >= 6, [...plans.keys()].join(", "));
    for (const [stack, plan] of plans) {
      assert.deepEqual(plan.problems, [], stack);
      const job = findObject(plan, "Job", DB_INDEXES_NAME) as any;
      assert.ok(job, `${stack}: no Job ${DB_INDEXES_NAME}`);
      assert.equal(job.metadata.namespace, plan.outputs.namespace, stack);
      const pod = job.spec.template.spec;
      const [c] = pod.containers;
      const bootstrap = (findObject(plan, "Job", "mysql-bootstrap") as any).spec.template.spec.containers[0];
      assert.equal(c.image, bootstrap.image, `${stack}: the MySQL client image the bootstrap uses`);
      const install = (findObject(plan, "ConfigMap", "pipeline-install-config") as any).data;
      const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]));
      assert.deepEqual(
        env,
        { DB_HOST: install.dbHost, DB_PORT: install.dbPort, DB_NAME: install.pipelineDb, DB_USER: "mysql-secret/username", DB_PASSWORD: "mysql-secret/password" },
        stack,
      );
      // Restricted Pod Security, sized.
      assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: "RuntimeDefault" } }, stack);
      assert.deepEqual(c.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true }, stack);
      assert.equal(pod.automountServiceAccountToken, false);
      assert.ok(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, stack);
      // Pulumi creates it once the API server's Deployment is ready (gorm has migrated by then), with its scripts.
      const resource = plan.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name === "kfp-db-indexes-job")!;
      const urnOf = (name: string) => plan.resources.find((r) => r.name === name)!.urn;
      assert.ok(resource.dependsOn.includes(urnOf("kfp-api-server")), `${stack}: waits for the API server`);
      assert.ok(resource.dependsOn.includes(urnOf("kfp-db-indexes-scripts")), stack);
      assert.ok(job.spec.template.metadata.annotations["kfp-platform/indexes-checksum"], stack);
    }
  });

  it("is admitted to in-cluster MySQL where multi-user NetworkPolicies guard it", async () => {
    const policy = platformPolicies({ namespace: "kubeflow", inClusterMysql: true, databaseClients: [] })["kfp-mysql"];
    const admitsJob = (from: any[]) => from.some((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/name"] === DB_INDEXES_NAME && !p.namespaceSelector);
    assert.ok(admitsJob((policy.ingress as any[])[0].from));
    const plan = await planStack("multi", { root: tempRoot({ multi: multiUserLocal() }), outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const rendered = findObject(plan, "NetworkPolicy", "kfp-mysql") as any;
    const job = findObject(plan, "Job", DB_INDEXES_NAME) as any;
    assert.ok(admitsJob(rendered.spec.ingress[0].from));
    assert.equal(job.spec.template.metadata.labels["app.kubernetes.io/name"], DB_INDEXES_NAME);
  });
});
