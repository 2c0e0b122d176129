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
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack } from "../engine/plan";
import { BACKUP_NAME } from "../modules/backup";
import { backupPrefix } from "../modules/foundation/names";
import { GCS_XML_PERMISSIONS } from "../modules/facts/gcp-calls";
import { fingerprintOf, kfpDatabase, planned, runStep, wipe } from "./backup-rig";
import { s3RequestAction } from "./cloud-permissions";
import { gcpStackFacts, missingPermissions, type GcpStackFacts } from "./gcp-permissions";
import { findObject, stackYaml, tempRoot, withRestore } from "./helpers";
import { mariadbMissing, type MariaDb } from "./mariadb";
import { AWS_CLI, AWS_CLI_WITH_CHECKSUMS, awsCliMissing, startS3, type S3Server } from "./s3-server";

const missing = mariadbMissing() ?? awsCliMissing();
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
  let gcp: GcpStackFacts;

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    const plan = await planStack("gcp-dev", { root: withRestore("gcp-dev"), outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    const upload = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec.containers[0];
    const plannedValue = (name: string) => upload.env.find((e: any) => e.name === name)?.value;
    // The endpoint the test rewrites is GCS's; every S3 setting besides it stays the plan's.
    assert.equal(plannedValue("S3_ENDPOINT_URL"), "https://storage.googleapis.com");
    bucket = plannedValue("BUCKET");
    gcp = gcpStackFacts("gcp-dev", plan);
    db = await kfpDatabase();
    s3 = await startS3(bucket, { front: "strict" });
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

  it("sent only requests the HMAC key's account may make on GCS (the XML API's permissions, the planned bindings)", () => {
    const requests = s3.requests();
    assert.ok(requests.length >= 4, "the round trip ran first");
    const denied = requests.flatMap((r) => {
      const { operation } = s3RequestAction(r);
      const needs = GCS_XML_PERMISSIONS[operation];
      assert.ok(needs, `${operation}: no GCS permissions known (modules/facts/gcp-calls.ts GCS_XML_PERMISSIONS)`);
      const missing = missingPermissions(gcp, `serviceAccount:${gcp.hmacEmail}`, `bucket:${bucket}`, needs);
      return missing.length ? [`${r.method} ${r.url} (${operation}) needs ${missing.join(", ")}`] : [];
    });
    assert.deepEqual(denied, []);
    // The check can fail: the account's bucket reader role alone does not upload.
    const readerOnly = { ...gcp, bindings: gcp.bindings.filter((b) => b.role !== "roles/storage.objectAdmin") };
    assert.deepEqual(missingPermissions(readerOnly, `serviceAccount:${gcp.hmacEmail}`, `bucket:${bucket}`, GCS_XML_PERMISSIONS.PutObject), ["storage.objects.create"]);
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
