// The database bootstrap Job's own script, taken from the local plan, against a real MariaDB server:
// it creates KFP's databases and user, is idempotent (twice in a row on the same server), rotates the
// password, repairs a user an older install left behind, and refuses what it cannot splice into SQL.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack } from "../engine/plan";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/mysql";
import { BOOTSTRAP_NAME, MONITOR_DB_USER } from "../modules/data/mysql-bootstrap";
import { bootstrapSql, MONITOR_GRANTS } from "../modules/data/mysql-bootstrap-script";
import { findObject, REPO_ROOT } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";
import { mariadbMissing, startMariaDb, type MariaDb } from "./mariadb";

const missing = mariadbMissing();
/** An admin like RDS's master user: every privilege with grant option, not root. */
const admin = { name: "admin", password: "Adm1nPassw0rd" };
const MONITOR_PASSWORD = "Mon1torPassw0rd";
const exporterMissing = toolMissing("prometheus-mysqld-exporter", "prometheus-mysqld-exporter");

describe("database bootstrap Job on a real server", { skip: skipWithout(missing) }, () => {
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
  function runJob(kfpPassword: string, extra: Record<string, string> = {}, monitorPassword = MONITOR_PASSWORD) {
    const secrets: Record<string, string> = {
      "mysql-bootstrap/ADMIN_USER": admin.name,
      "mysql-bootstrap/ADMIN_PASSWORD": admin.password,
      "mysql-bootstrap/KFP_PASSWORD": kfpPassword,
      "mysql-bootstrap/MONITOR_PASSWORD": monitorPassword,
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

  it("creates the metrics user with server status rights and no data, limited to 3 connections", () => {
    const monitor = { name: MONITOR_DB_USER, password: MONITOR_PASSWORD };
    assert.equal(db.sql(`SELECT CONCAT(plugin, ' ', max_user_connections) FROM mysql.user WHERE user = '${MONITOR_DB_USER}';`).trim(), "mysql_native_password 3");
    assert.match(db.sql("SHOW GLOBAL STATUS LIKE 'Threads_connected';", monitor), /Threads_connected/);
    assert.throws(() => db.sql("SELECT COUNT(*) FROM mlpipeline.probe;", monitor), /denied/i);
    assert.throws(() => db.sql("CREATE DATABASE other;", monitor), /denied/i);
    const grants = db.sql(`SHOW GRANTS FOR '${MONITOR_DB_USER}'@'%';`);
    // MariaDB shows REPLICATION CLIENT under its newer name, BINLOG MONITOR.
    assert.match(grants, new RegExp(`GRANT ${MONITOR_GRANTS.replace("REPLICATION CLIENT", "(REPLICATION CLIENT|BINLOG MONITOR)")} ON \\*\\.\\* TO`));
  });

  it("lets mysqld_exporter's default collectors all succeed as the metrics user (Debian's exporter)", { skip: skipWithout(exporterMissing) }, async () => {
    const exporter = spawn("prometheus-mysqld-exporter", ["--web.listen-address=127.0.0.1:19104"], {
      env: { DATA_SOURCE_NAME: `${MONITOR_DB_USER}:${MONITOR_PASSWORD}@(127.0.0.1:${db.port})/` },
      stdio: "ignore",
    });
    try {
      let body = "";
      for (let i = 0; i < 50 && !body.includes("mysql_up"); i++) {
        await new Promise((r) => setTimeout(r, 100));
        body = await fetch("http://127.0.0.1:19104/metrics").then((r) => r.text(), () => "");
      }
      assert.match(body, /^mysql_up 1$/m);
      const ran = [...body.matchAll(/^mysql_exporter_collector_duration_seconds\{collector="collect\.([^"]+)"\}/gm)].map(([, name]) => name);
      assert.ok(ran.includes("global_status") && ran.includes("info_schema.innodb_cmp"), body.split("\n").filter((l) => l.startsWith("mysql_exporter")).join("\n"));
      const failed = [...body.matchAll(/^mysql_exporter_scrape_errors_total\{collector="collect\.([^"]+)"\} [1-9]/gm)].map(([, name]) => name);
      // MariaDB 10.5.9+ moved SHOW SLAVE STATUS to its own SLAVE MONITOR privilege; MySQL 8.4, which the kit
      // runs, grants SHOW REPLICA STATUS with REPLICATION CLIENT. Every other collector must succeed.
      assert.deepEqual(failed.filter((name) => name !== "slave_status"), [], "default collectors failing as the metrics user");
      assert.match(body, /^mysql_global_status_threads_connected \d+$/m);
    } finally {
      exporter.kill();
    }
  });

  it("reports which plugin the KFP user got", () => {
    const r = runJob("ThirdPassw0rd");
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`user ${KFP_DB_USER} authenticates with mysql_native_password`));
  });

  it("stops with what to do, before any statement, where the server has mysql_native_password off (MySQL 8.4's default)", () => {
    // MariaDB cannot turn the plugin off: a client in front of the real one answers the plugin check as
    // MySQL 8.4 does when started without mysql_native_password=ON; every other call goes through.
    const real = spawnSync("sh", ["-c", "command -v mysql"], { encoding: "utf8" }).stdout.trim();
    const bin = mkdtempSync(join(tmpdir(), "kfp-bootstrap-bin-"));
    writeFileSync(join(bin, "mysql"), `#!/bin/sh\ncase "$*" in *information_schema.PLUGINS*) echo DISABLED; exit 0 ;; esac\nexec ${real} "$@"\n`, { mode: 0o755 });
    db.sql(`DROP USER IF EXISTS '${KFP_DB_USER}'@'%';`);
    const r = runJob("FourthPassw0rd", { PATH: `${bin}:${process.env.PATH}` });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /has the mysql_native_password plugin DISABLED, not ACTIVE; ML Metadata 1\.14\.0 can log in with nothing else/);
    assert.match(r.stderr, /parameter group sets mysql_native_password=ON: check it is applied .* else reboot the instance/);
    assert.equal(db.sql(`SELECT COUNT(*) FROM mysql.user WHERE user = '${KFP_DB_USER}';`).trim(), "0", "nothing created");
    assert.equal(runJob("FourthPassw0rd").status, 0, "a server with the plugin on bootstraps as before");
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
