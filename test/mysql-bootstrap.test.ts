// The database bootstrap Job's own script, taken from the local plan, against a real MariaDB server:
// it creates KFP's databases and user, is idempotent (twice in a row on the same server), rotates the
// password, repairs a user an older install left behind, and refuses what it cannot splice into SQL.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack } from "../engine/plan";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/mysql";
import { BOOTSTRAP_NAME } from "../modules/data/mysql-bootstrap";
import { bootstrapSql } from "../modules/data/mysql-bootstrap-script";
import { findObject, REPO_ROOT } from "./helpers";
import { mariadbMissing, startMariaDb, type MariaDb } from "./mariadb";

const missing = mariadbMissing();
/** An admin like RDS's master user: every privilege with grant option, not root. */
const admin = { name: "admin", password: "Adm1nPassw0rd" };

describe("database bootstrap Job on a real server", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  let dir: string;
  let job: any;

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
    assert.deepEqual(plan.problems, []);
    job = findObject(plan, "Job", BOOTSTRAP_NAME);
    const scripts = findObject(plan, "ConfigMap", BOOTSTRAP_NAME) as any;
    dir = mkdtempSync(join(tmpdir(), "kfp-bootstrap-"));
    for (const [file, text] of Object.entries(scripts.data)) writeFileSync(join(dir, file), text as string);
    db = await startMariaDb();
    db.sql(`CREATE USER '${admin.name}'@'%' IDENTIFIED BY '${admin.password}'; GRANT ALL PRIVILEGES ON *.* TO '${admin.name}'@'%' WITH GRANT OPTION;`);
  });
  after(async () => db?.stop());

  /** Runs the Job's command with the Job's env, secrets resolved to test values and the host pointed at the test server. */
  function runJob(kfpPassword: string, extra: Record<string, string> = {}) {
    const secrets: Record<string, string> = {
      "mysql-bootstrap/ADMIN_USER": admin.name,
      "mysql-bootstrap/ADMIN_PASSWORD": admin.password,
      "mysql-bootstrap/KFP_PASSWORD": kfpPassword,
    };
    const container = job.spec.template.spec.containers[0];
    const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin" };
    for (const e of container.env) {
      const ref = e.valueFrom?.secretKeyRef;
      const value = ref ? secrets[`${ref.name}/${ref.key}`] : e.value;
      assert.ok(value !== undefined, `env ${e.name} comes from ${JSON.stringify(e.valueFrom)}, which the plan does not define`);
      env[e.name] = value;
    }
    Object.assign(env, { DB_HOST: "127.0.0.1", DB_PORT: String(db.port) }, extra);
    const script = container.command[1].replace("/etc/mysql-bootstrap", dir);
    return spawnSync(container.command[0], [script], { env, encoding: "utf8", timeout: 60_000 });
  }
  const kfp = (password: string) => ({ name: KFP_DB_USER, password });

  it("creates every KFP database and a mysql_native_password user that owns them", () => {
    const r = runJob("FirstPassw0rd");
    assert.equal(r.status, 0, r.stderr);
    const dbs = db.sql("SHOW DATABASES;").split("\n");
    for (const name of Object.values(KFP_DATABASES)) assert.ok(dbs.includes(name), `${name} missing`);
    assert.equal(db.sql(`SELECT plugin FROM mysql.user WHERE user = '${KFP_DB_USER}';`).trim(), "mysql_native_password");
    for (const name of Object.values(KFP_DATABASES)) {
      db.sql(`CREATE TABLE \`${name}\`.probe (id INT PRIMARY KEY); INSERT INTO \`${name}\`.probe VALUES (1);`, kfp("FirstPassw0rd"));
    }
  });

  it("runs a second time on the same server without error and without touching data", () => {
    const r = runJob("FirstPassw0rd");
    assert.equal(r.status, 0, r.stderr);
    for (const name of Object.values(KFP_DATABASES)) assert.equal(db.sql(`SELECT COUNT(*) FROM \`${name}\`.probe;`, kfp("FirstPassw0rd")).trim(), "1");
  });

  it("gives the KFP user nothing beyond its databases; the API server's CREATE DATABASE meets 'exists'", () => {
    const user = kfp("FirstPassw0rd");
    assert.throws(() => db.sql("CREATE DATABASE other;", user), /denied/i);
    assert.throws(() => db.sql("SELECT * FROM mysql.user;", user), /denied/i);
    assert.throws(() => db.sql("CREATE DATABASE mlpipeline;", user), /database exists/i);
  });

  it("rotates the password: the new one logs in, the old one no longer does", () => {
    assert.equal(runJob("SecondPassw0rd").status, 0);
    assert.equal(db.sql("SELECT COUNT(*) FROM mlpipeline.probe;", kfp("SecondPassw0rd")).trim(), "1");
    assert.throws(() => db.sql("SELECT 1;", kfp("FirstPassw0rd")), /denied/i);
  });

  it("repairs a KFP user an older install created with another plugin and no grants", () => {
    db.sql(`DROP USER '${KFP_DB_USER}'@'%'; CREATE USER '${KFP_DB_USER}'@'%' IDENTIFIED VIA unix_socket;`);
    assert.equal(runJob("ThirdPassw0rd").status, 0);
    assert.equal(db.sql(`SELECT plugin FROM mysql.user WHERE user = '${KFP_DB_USER}';`).trim(), "mysql_native_password");
    assert.equal(db.sql("SELECT COUNT(*) FROM cachedb.probe;", kfp("ThirdPassw0rd")).trim(), "1");
  });

  it("refuses a password it would have to quote, before connecting", () => {
    const r = runJob("it's");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /KFP_PASSWORD must be a non-empty alphanumeric string/);
  });

  it("fails with the server's error when the admin login is refused", () => {
    const r = runJob("ThirdPassw0rd", { ADMIN_PASSWORD: "wrong", BOOTSTRAP_ATTEMPTS: "1" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /did not accept user admin/);
    assert.match(r.stderr, /Access denied/i);
  });

  it("refuses identifiers that would need quoting", () => {
    assert.throws(() => bootstrapSql("kfp'; DROP", ["x"]), /not a safe MySQL identifier/);
  });
});
