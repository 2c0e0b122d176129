// The backup and restore scripts of a plan on real servers: KFP-shaped data in a real MariaDB (Debian), the
// scripts taken from the plan's ConfigMaps with their containers' env, run with the AWS CLI against a
// loopback S3 server. Shared by test/backup-roundtrip.test.ts and test/backup-iam.test.ts.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { PlanResult } from "../engine/plan";
import { BACKUP_NAME, RESTORE_NAME } from "../modules/backup";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/kfp-database";
import { bootstrapSql } from "../modules/data/mysql-bootstrap-script";
import { findObject } from "./helpers";
import { startMariaDb, type MariaDb } from "./mariadb";
import { AWS_CLI, type S3Server } from "./s3-server";

export const DATABASES = Object.values(KFP_DATABASES);
export const kfp = { name: KFP_DB_USER, password: "KfpBackupPassw0rd" };

/** Tables shaped like KFP's: run details with manifests, MLMD with binary properties, the cache, Argo's archive. */
export const KFP_SHAPED_DATA = `
CREATE TABLE mlpipeline.run_details (UUID varchar(191) PRIMARY KEY, DisplayName varchar(255), WorkflowRuntimeManifest longtext, CreatedAtInSec bigint, State varchar(64) NULL);
CREATE TABLE mlpipeline.tasks (UUID varchar(191) PRIMARY KEY, RunUUID varchar(191), Name varchar(255), Fingerprint varchar(255), Payload longtext);
CREATE TABLE mlpipeline.experiments (UUID varchar(191) PRIMARY KEY, Name varchar(255), Namespace varchar(63));
CREATE TABLE cachedb.execution_caches (ID bigint AUTO_INCREMENT PRIMARY KEY, ExecutionCacheKey varchar(255), ExecutionOutput longtext, StartedAtInSec bigint);
CREATE TABLE metadb.Artifact (id int AUTO_INCREMENT PRIMARY KEY, type_id int, uri text, state int, name varchar(255));
CREATE TABLE metadb.ArtifactProperty (artifact_id int, name varchar(255), string_value mediumtext, byte_value mediumblob, PRIMARY KEY (artifact_id, name));
CREATE TABLE metadb.Event (id int AUTO_INCREMENT PRIMARY KEY, artifact_id int, execution_id int, type int, milliseconds_since_epoch bigint);
CREATE TABLE argo.argo_archived_workflows (uid varchar(128) PRIMARY KEY, name varchar(256), namespace varchar(256), workflow json, startedat timestamp NULL);
`;

export function kfpShapedRows(n: number): string {
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
export function fingerprintOf(db: MariaDb): string[] {
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
export function envOf(container: any, s3: S3Server, overrides: Record<string, string>): Record<string, string> {
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
export function planned(plan: PlanResult, s3: S3Server, servers: Record<string, string>) {
  const scripts = mkdtempSync(join(tmpdir(), "kfp-backup-scripts-"));
  const backupScripts = (findObject(plan, "ConfigMap", `${BACKUP_NAME}-scripts`) as any).data;
  for (const [file, text] of Object.entries(backupScripts)) writeFileSync(join(scripts, file), text as string);
  const cron = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec;
  const restore = (findObject(plan, "Job", RESTORE_NAME) as any)?.spec.template.spec;
  // The restore runs the same scripts from its own ConfigMap.
  if (restore) assert.deepEqual((findObject(plan, "ConfigMap", `${RESTORE_NAME}-scripts`) as any).data, backupScripts);
  return {
    scripts,
    backupEnv: { ...envOf(cron.initContainers[0], s3, servers), ...envOf(cron.containers[0], s3, servers) },
    /** The restore Job's env; only a plan with a `restore` setting has one. */
    get restoreEnv(): Record<string, string> {
      if (!restore) throw new Error("this plan has no restore Job: give its stack file a kfp-platform:restore setting");
      return { ...envOf(restore.initContainers[0], s3, servers), ...envOf(restore.containers[0], s3, servers) };
    },
  };
}

/** Runs one step's script with `env` only, under `cli` (the AWS CLI v2 first on PATH: a pip-installed v1 may shadow it elsewhere). */
export function runStep(scripts: string, step: string, env: Record<string, string>, cli = AWS_CLI!) {
  const r = spawnSync("/bin/sh", [join(scripts, `${step}.sh`)], {
    env: { PATH: `${dirname(cli)}:/usr/bin:/bin:${process.env.PATH}`, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A database with KFP's databases, the kfp user and KFP-shaped rows. */
export async function kfpDatabase(): Promise<MariaDb> {
  const db = await startMariaDb();
  db.sql(`SET @kfp_password = '${kfp.password}';\n${bootstrapSql(KFP_DB_USER, DATABASES)}`);
  db.sql(KFP_SHAPED_DATA);
  db.sql(kfpShapedRows(300));
  return db;
}

/** Drops KFP's databases and bootstraps them again, empty, as a rebuilt stack would. */
export function wipe(db: MariaDb): void {
  db.sql(DATABASES.map((d) => `DROP DATABASE \`${d}\`;`).join("\n"));
  db.sql(`SET @kfp_password = '${kfp.password}';\n${bootstrapSql(KFP_DB_USER, DATABASES)}`);
}
