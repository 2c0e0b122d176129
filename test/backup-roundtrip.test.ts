// The backup CronJob's and the restore Job's own scripts, taken from the local plan, in a real round
// trip: KFP-shaped data in a real MariaDB (Debian), dumped as the `kfp` user, uploaded with the AWS CLI
// (Debian's) to a real S3 endpoint on loopback (s3rver), the databases wiped and bootstrapped again,
// the backup downloaded, verified and loaded: every table's row count and checksum must come back. A
// corrupt or cut-short backup must fail the restore loudly and leave the database untouched. And the same
// round trip with exactly the env the gcp-dev plan renders (GCS: region auto, checksums only when
// required, the HMAC key), its endpoint rewritten to a strict front of the local server that records
// every request and refuses the checksum headers GCS's XML API refuses.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { BACKUP_NAME, RESTORE_NAME } from "../modules/backup";
import { backupPrefix } from "../modules/foundation/names";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/kfp-database";
import { bootstrapSql } from "../modules/data/mysql-bootstrap-script";
import { findObject, stackYaml, tempRoot, withRestore } from "./helpers";
import { mariadbMissing, startMariaDb, type MariaDb } from "./mariadb";
import { AWS_CLI, AWS_CLI_WITH_CHECKSUMS, awsCliMissing, startS3, type S3Server } from "./s3-server";

const missing = mariadbMissing() ?? awsCliMissing();
const DATABASES = Object.values(KFP_DATABASES);
const kfp = { name: KFP_DB_USER, password: "KfpBackupPassw0rd" };

/** Tables shaped like KFP's: run details with manifests, MLMD with binary properties, the cache, Argo's archive. */
const KFP_SHAPED_DATA = `
CREATE TABLE mlpipeline.run_details (UUID varchar(191) PRIMARY KEY, DisplayName varchar(255), WorkflowRuntimeManifest longtext, CreatedAtInSec bigint, State varchar(64) NULL);
CREATE TABLE mlpipeline.tasks (UUID varchar(191) PRIMARY KEY, RunUUID varchar(191), Name varchar(255), Fingerprint varchar(255), Payload longtext);
CREATE TABLE mlpipeline.experiments (UUID varchar(191) PRIMARY KEY, Name varchar(255), Namespace varchar(63));
CREATE TABLE cachedb.execution_caches (ID bigint AUTO_INCREMENT PRIMARY KEY, ExecutionCacheKey varchar(255), ExecutionOutput longtext, StartedAtInSec bigint);
CREATE TABLE metadb.Artifact (id int AUTO_INCREMENT PRIMARY KEY, type_id int, uri text, state int, name varchar(255));
CREATE TABLE metadb.ArtifactProperty (artifact_id int, name varchar(255), string_value mediumtext, byte_value mediumblob, PRIMARY KEY (artifact_id, name));
CREATE TABLE metadb.Event (id int AUTO_INCREMENT PRIMARY KEY, artifact_id int, execution_id int, type int, milliseconds_since_epoch bigint);
CREATE TABLE argo.argo_archived_workflows (uid varchar(128) PRIMARY KEY, name varchar(256), namespace varchar(256), workflow json, startedat timestamp NULL);
`;

function kfpShapedRows(n: number): string {
  const rows: string[] = [];
  for (let i = 0; i < n; i++) {
    const manifest = JSON.stringify({ kind: "Workflow", metadata: { name: `run-${i}` }, status: { phase: i % 7 ? "Succeeded" : "Failed", message: "ünïcödé ✓ 'quoted' \"double\"" } }).replace(/'/g, "''").replace(/\\/g, "\\\\");
    rows.push(`INSERT INTO mlpipeline.run_details VALUES ('run-${i}', 'Run ${i}', '${manifest}', ${1700000000 + i}, ${i % 5 ? "'SUCCEEDED'" : "NULL"});`);
    rows.push(`INSERT INTO mlpipeline.tasks VALUES ('task-${i}', 'run-${i}', 'train', 'fp-${i}', REPEAT('x', ${(i % 10) * 100}));`);
    rows.push(`INSERT INTO cachedb.execution_caches (ExecutionCacheKey, ExecutionOutput, StartedAtInSec) VALUES ('key-${i}', '{"outputs": ${i}}', ${i});`);
    rows.push(`INSERT INTO metadb.Artifact (type_id, uri, state, name) VALUES (${i % 3}, 's3://bucket/v2/artifacts/run-${i}/model', 2, 'model-${i}');`);
    rows.push(`INSERT INTO metadb.ArtifactProperty VALUES (${i + 1}, 'blob', NULL, UNHEX(SHA2('${i}', 256)));`);
    rows.push(`INSERT INTO metadb.Event (artifact_id, execution_id, type, milliseconds_since_epoch) VALUES (${i + 1}, ${i}, 4, ${1700000000000 + i});`);
    rows.push(`INSERT INTO argo.argo_archived_workflows VALUES ('uid-${i}', 'wf-${i}', 'kubeflow', '{"spec": {"entrypoint": "main"}, "n": ${i}}', '2026-11-29 02:00:00');`);
  }
  rows.push("INSERT INTO mlpipeline.experiments VALUES ('exp-1', 'Default', 'kubeflow');");
  return rows.join("\n");
}

/** Each table's row count and checksum. */
function fingerprintOf(db: MariaDb): string[] {
  return db
    .sql(DATABASES.map((d) => `SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = '${d}' ORDER BY table_name;`).join("\n"))
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [schema, table] = line.split("\t");
      const count = db.sql(`SELECT COUNT(*) FROM \`${schema}\`.\`${table}\`;`).trim();
      const checksum = db.sql(`CHECKSUM TABLE \`${schema}\`.\`${table}\`;`).trim().split("\t")[1];
      return `${schema}.${table} rows=${count} checksum=${checksum}`;
    });
}

/** A container's env from the plan, secrets and hosts pointed at the test servers. */
function envOf(container: any, s3: S3Server, overrides: Record<string, string>): Record<string, string> {
  const secrets: Record<string, string> = {
    "mysql-secret/username": kfp.name,
    "mysql-secret/password": kfp.password,
    "mlpipeline-minio-artifact/accesskey": s3.credentials.accessKeyId,
    "mlpipeline-minio-artifact/secretkey": s3.credentials.secretAccessKey,
  };
  const env: Record<string, string> = {};
  for (const e of container.env) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? secrets[`${ref.name}/${ref.key}`] : e.value;
    assert.ok(value !== undefined, `${container.name}: env ${e.name} from ${JSON.stringify(e.valueFrom)} is not known to the test`);
    env[e.name] = value;
  }
  return { ...env, ...overrides };
}

/** The plan's backup scripts written to a directory, and the backup's and the restore's env (both steps each). */
function planned(plan: PlanResult, s3: S3Server, servers: Record<string, string>) {
  const scripts = mkdtempSync(join(tmpdir(), "kfp-backup-scripts-"));
  for (const [file, text] of Object.entries((findObject(plan, "ConfigMap", `${BACKUP_NAME}-scripts`) as any).data)) writeFileSync(join(scripts, file), text as string);
  // The restore runs the same scripts from its own ConfigMap.
  assert.deepEqual((findObject(plan, "ConfigMap", `${RESTORE_NAME}-scripts`) as any).data, (findObject(plan, "ConfigMap", `${BACKUP_NAME}-scripts`) as any).data);
  const cron = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec;
  const restore = (findObject(plan, "Job", RESTORE_NAME) as any).spec.template.spec;
  return {
    scripts,
    backupEnv: { ...envOf(cron.initContainers[0], s3, servers), ...envOf(cron.containers[0], s3, servers) },
    restoreEnv: { ...envOf(restore.initContainers[0], s3, servers), ...envOf(restore.containers[0], s3, servers) },
  };
}

/** Runs one step's script with `env` only, under `cli` (the AWS CLI v2 first on PATH: a pip-installed v1 may shadow it elsewhere). */
function runStep(scripts: string, step: string, env: Record<string, string>, cli = AWS_CLI!) {
  const r = spawnSync("/bin/sh", [join(scripts, `${step}.sh`)], {
    env: { PATH: `${dirname(cli)}:/usr/bin:/bin:${process.env.PATH}`, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A database with KFP's databases, the kfp user and KFP-shaped rows. */
async function kfpDatabase(): Promise<MariaDb> {
  const db = await startMariaDb();
  db.sql(`SET @kfp_password = '${kfp.password}';\n${bootstrapSql(KFP_DB_USER, DATABASES)}`);
  db.sql(KFP_SHAPED_DATA);
  db.sql(kfpShapedRows(300));
  return db;
}

/** Drops KFP's databases and bootstraps them again, empty, as a rebuilt stack would. */
function wipe(db: MariaDb): void {
  db.sql(DATABASES.map((d) => `DROP DATABASE \`${d}\`;`).join("\n"));
  db.sql(`SET @kfp_password = '${kfp.password}';\n${bootstrapSql(KFP_DB_USER, DATABASES)}`);
}

/** The local test stack's backup folder: its stack is named "dev" and has no cluster name. */
const BACKUP_PREFIX = backupPrefix("dev");

describe("database backup and restore round trip on real servers", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  let s3: S3Server;
  let scripts: string;
  let backupEnv: Record<string, string>;
  let restoreEnv: Record<string, string>;

  const fingerprint = () => fingerprintOf(db);
  const run = (step: string, env: Record<string, string>) => runStep(scripts, step, env);
  const s3cli = (...args: string[]) =>
    spawnSync(AWS_CLI!, ["--endpoint-url", s3.endpoint, ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_DEFAULT_REGION: "us-east-1" },
      encoding: "utf8",
    });

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    // The local stack with a restore setting, so the plan holds both the CronJob and the restore Job.
    const root = tempRoot({ dev: stackYaml("  kfp-platform:restore: { backup: latest }\n") });
    const plan = await planStack("dev", { root, outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const work = mkdtempSync(join(tmpdir(), "kfp-backup-work-"));
    db = await kfpDatabase();
    s3 = await startS3("mlpipeline");
    ({ scripts, backupEnv, restoreEnv } = planned(plan, s3, { DB_HOST: "127.0.0.1", DB_PORT: String(db.port), S3_ENDPOINT_URL: s3.endpoint, BACKUP_DIR: work, HOME: work }));
    assert.equal(backupEnv.PREFIX, BACKUP_PREFIX);
    assert.equal(restoreEnv.PREFIX, BACKUP_PREFIX);
  });
  after(async () => {
    await db?.stop();
    await s3?.stop();
  });

  it("dumps as the kfp user and uploads the dump with its checksum under a dated key", () => {
    const dump = run("dump", backupEnv);
    assert.equal(dump.status, 0, dump.out);
    const upload = run("upload", backupEnv);
    assert.equal(upload.status, 0, upload.out);
    const listed = s3cli("s3", "ls", "--recursive", `s3://mlpipeline/${BACKUP_PREFIX}/`).stdout;
    assert.match(listed, new RegExp(`${BACKUP_PREFIX}/\\d{8}T\\d{6}Z/kfp\\.sql\\n`));
    assert.match(listed, new RegExp(`${BACKUP_PREFIX}/\\d{8}T\\d{6}Z/kfp\\.sql\\.sha256`));
  });

  it("restores every table with every row into wiped, re-bootstrapped databases", () => {
    const before = fingerprint();
    assert.ok(before.length >= 8, before.join("\n"));
    assert.ok(before.some((t) => t.startsWith("mlpipeline.run_details rows=300 ")));
    wipe(db);
    assert.equal(fingerprint().length, 0, "wiped");
    const download = run("download", restoreEnv);
    assert.equal(download.status, 0, download.out);
    const load = run("load", restoreEnv);
    assert.equal(load.status, 0, load.out);
    assert.deepEqual(fingerprint(), before, "0 rows lost, every checksum equal");
  });

  it("refuses a corrupt backup before touching the database", () => {
    const before = fingerprint();
    const key = s3cli("s3", "ls", "--recursive", `s3://mlpipeline/${BACKUP_PREFIX}/`).stdout.match(/(\S+\/kfp\.sql)\n/)![1];
    const corrupt = join(restoreEnv.BACKUP_DIR, "corrupt.sql");
    const original = s3cli("s3", "cp", `s3://mlpipeline/${key}`, "-");
    writeFileSync(corrupt, original.stdout.replace("run-17", "run-71"));
    assert.equal(s3cli("s3", "cp", corrupt, `s3://mlpipeline/${key}`).status, 0);
    spawnSync("rm", ["-f", join(restoreEnv.BACKUP_DIR, "verified")]);
    const download = run("download", restoreEnv);
    assert.equal(download.status, 1);
    assert.match(download.out, /does not match its checksum: refusing to load it/);
    const load = run("load", restoreEnv);
    assert.equal(load.status, 1, "nothing verified, nothing loaded");
    assert.deepEqual(fingerprint(), before, "untouched");
  });

  it("refuses a backup cut short at dump time, even with a matching checksum", () => {
    const before = fingerprint();
    const key = s3cli("s3", "ls", "--recursive", `s3://mlpipeline/${BACKUP_PREFIX}/`).stdout.match(/(\S+)\/kfp\.sql\n/)![1];
    const dir = mkdtempSync(join(tmpdir(), "kfp-short-"));
    const full = readFileSync(join(restoreEnv.BACKUP_DIR, "kfp.sql"), "utf8");
    writeFileSync(join(dir, "kfp.sql"), full.slice(0, Math.floor(full.length / 2)));
    spawnSync("sh", ["-c", "sha256sum kfp.sql > kfp.sql.sha256"], { cwd: dir });
    for (const file of ["kfp.sql", "kfp.sql.sha256"]) assert.equal(s3cli("s3", "cp", join(dir, file), `s3://mlpipeline/${key}/${file}`).status, 0);
    const download = run("download", restoreEnv);
    assert.equal(download.status, 1);
    assert.match(download.out, /was cut short \(no dump trailer\): refusing to load it/);
    assert.deepEqual(fingerprint(), before, "untouched");
  });

  it("prunes backups older than the retention and keeps the new one", () => {
    const old = `${BACKUP_PREFIX}/20200101T000000Z/kfp.sql`;
    const marker = join(restoreEnv.BACKUP_DIR, "old.sql");
    writeFileSync(marker, "old");
    assert.equal(s3cli("s3", "cp", marker, `s3://mlpipeline/${old}`).status, 0);
    assert.equal(run("dump", backupEnv).status, 0);
    const upload = run("upload", backupEnv);
    assert.equal(upload.status, 0, upload.out);
    assert.match(upload.out, /pruned 20200101T000000Z \(older than 14 days\)/);
    const listed = s3cli("s3", "ls", "--recursive", `s3://mlpipeline/${BACKUP_PREFIX}/`).stdout;
    assert.doesNotMatch(listed, /20200101T000000Z/);
    assert.ok(listed.split("\n").filter((l) => l.endsWith("/kfp.sql")).length >= 1);
  });
});

describe("the round trip with the GCS plan's env, against a strict front of the S3 server", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  let s3: S3Server;
  let rig: ReturnType<typeof planned>;
  let bucket: string;

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    const plan = await planStack("gcp-dev", { root: withRestore("gcp-dev"), outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const upload = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec.containers[0];
    const plannedValue = (name: string) => upload.env.find((e: any) => e.name === name)?.value;
    // The endpoint the test rewrites is GCS's; every S3 setting besides it stays the plan's.
    assert.equal(plannedValue("S3_ENDPOINT_URL"), "https://storage.googleapis.com");
    bucket = plannedValue("BUCKET");
    db = await kfpDatabase();
    s3 = await startS3(bucket, { strictFront: true });
    const work = mkdtempSync(join(tmpdir(), "kfp-backup-gcs-"));
    rig = planned(plan, s3, { DB_HOST: "127.0.0.1", DB_PORT: String(db.port), S3_ENDPOINT_URL: s3.endpoint, BACKUP_DIR: work, HOME: work });
    assert.equal(rig.backupEnv.AWS_REGION, "auto");
  });
  after(async () => {
    await db?.stop();
    await s3?.stop();
  });

  /** Every request since `from` was signed for region auto, path-style to the endpoint's host, and accepted. */
  function assertGcsShaped(from: number) {
    const requests = s3.requests().slice(from);
    assert.ok(requests.length >= 4, JSON.stringify(requests));
    const host = new URL(s3.endpoint).host;
    for (const r of requests) {
      assert.equal(r.region, "auto", `${r.method} ${r.url}: SigV4 scope`);
      assert.equal(r.host, host, `${r.method} ${r.url}: path-style, not <bucket>.${host}`);
      assert.match(r.url, new RegExp(`^/${bucket}([/?]|$)`), `${r.method} ${r.url}: the bucket in the path`);
      assert.deepEqual(r.refused, [], `${r.method} ${r.url}`);
    }
  }

  it("backs up and restores every row with the plan's settings: region auto, path-style, no checksum headers", () => {
    const before = fingerprintOf(db);
    const from = s3.requests().length;
    for (const step of ["dump", "upload"]) {
      const r = runStep(rig.scripts, step, rig.backupEnv);
      assert.equal(r.status, 0, r.out);
    }
    wipe(db);
    assert.equal(fingerprintOf(db).length, 0, "wiped");
    for (const step of ["download", "load"]) {
      const r = runStep(rig.scripts, step, rig.restoreEnv);
      assert.equal(r.status, 0, r.out);
    }
    assert.deepEqual(fingerprintOf(db), before, "0 rows lost, every checksum equal");
    assertGcsShaped(from);
    assert.deepEqual([...new Set(s3.requests().slice(from).map((r) => r.method))].sort(), ["GET", "HEAD", "PUT"]);
  });

  it(
    "keeps a CLI with default integrity protections from sending the checksums GCS refuses, and only the settings do",
    // The node machine image ships awscli 1.45.11 on botocore 1.43.11 (pip): CI has one; elsewhere skip.
    { skip: AWS_CLI_WITH_CHECKSUMS || process.env.CI ? false : "no AWS CLI with default integrity protections here (v2 >= 2.23.0, or v1 on botocore >= 1.36: pip install awscli)" },
    () => {
      if (!AWS_CLI_WITH_CHECKSUMS) throw new Error("no AWS CLI with default integrity protections (v2 >= 2.23.0, or v1 on botocore >= 1.36); CI must have one");
      const cli = AWS_CLI_WITH_CHECKSUMS;
      assert.equal(runStep(rig.scripts, "dump", rig.backupEnv, cli).status, 0);
      let from = s3.requests().length;
      const upload = runStep(rig.scripts, "upload", rig.backupEnv, cli);
      assert.equal(upload.status, 0, upload.out);
      const download = runStep(rig.scripts, "download", rig.restoreEnv, cli);
      assert.equal(download.status, 0, download.out);
      assertGcsShaped(from);

      // Without the two settings the same CLI sends what GCS refuses, on upload and on download.
      const { AWS_REQUEST_CHECKSUM_CALCULATION: _req, AWS_RESPONSE_CHECKSUM_VALIDATION: _res, ...defaults } = rig.backupEnv;
      from = s3.requests().length;
      const refusedUpload = runStep(rig.scripts, "upload", defaults, cli);
      assert.notEqual(refusedUpload.status, 0, refusedUpload.out);
      assert.match(refusedUpload.out, /InvalidArgument/);
      assert.ok(s3.requests().slice(from).some((r) => r.method === "PUT" && r.refused.some((h) => h.startsWith("x-amz-checksum-"))), JSON.stringify(s3.requests().slice(from)));
      const { AWS_REQUEST_CHECKSUM_CALCULATION: _req2, AWS_RESPONSE_CHECKSUM_VALIDATION: _res2, ...restoreDefaults } = rig.restoreEnv;
      from = s3.requests().length;
      const refusedDownload = runStep(rig.scripts, "download", restoreDefaults, cli);
      assert.notEqual(refusedDownload.status, 0, refusedDownload.out);
      assert.ok(s3.requests().slice(from).some((r) => r.method === "GET" && r.refused.includes("x-amz-checksum-mode")), JSON.stringify(s3.requests().slice(from)));
    },
  );
});
