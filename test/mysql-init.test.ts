// The in-cluster MySQL's init SQL against a real server: the KFP user ends up owning exactly KFP's
// three databases and nothing else, and a second run changes nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { KFP_DATABASES, KFP_DB_USER } from "../modules/data/mysql";
import { kfpDatabaseInitSql } from "../modules/data/mysql-init";
import { mariadbMissing, startMariaDb, type MariaDb } from "./mariadb";

const missing = mariadbMissing();
const kfp = { name: KFP_DB_USER, password: "kfp-test-password" };

describe("MySQL init SQL on a real server", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    db = await startMariaDb();
    // What the mysql image's entrypoint does from MYSQL_USER/MYSQL_PASSWORD before running init scripts.
    db.sql(`CREATE USER '${kfp.name}'@'%' IDENTIFIED BY '${kfp.password}';`);
    db.sql(kfpDatabaseInitSql(KFP_DB_USER, Object.values(KFP_DATABASES)));
  });
  after(async () => db?.stop());

  it("creates mlpipeline, cachedb and metadb", () => {
    const dbs = db.sql("SHOW DATABASES;").split("\n");
    for (const name of ["mlpipeline", "cachedb", "metadb"]) assert.ok(dbs.includes(name), `${name} missing`);
  });

  it("lets the KFP user create and use tables in each database", () => {
    for (const name of Object.values(KFP_DATABASES)) {
      db.sql(`CREATE TABLE \`${name}\`.probe (id INT PRIMARY KEY); INSERT INTO \`${name}\`.probe VALUES (1);`, kfp);
      assert.equal(db.sql(`SELECT COUNT(*) FROM \`${name}\`.probe;`, kfp).trim(), "1");
    }
  });

  it("lets the API server's CREATE DATABASE on its own database reach 'exists' rather than 'denied'", () => {
    assert.throws(() => db.sql("CREATE DATABASE mlpipeline;", kfp), /database exists/i);
  });

  it("gives the KFP user nothing beyond its databases", () => {
    assert.throws(() => db.sql("CREATE DATABASE other;", kfp), /denied/i);
    assert.throws(() => db.sql("SELECT * FROM mysql.user;", kfp), /denied/i);
  });

  it("is idempotent", () => {
    db.sql(kfpDatabaseInitSql(KFP_DB_USER, Object.values(KFP_DATABASES)));
    assert.equal(db.sql("SELECT COUNT(*) FROM mlpipeline.probe;", kfp).trim(), "1");
  });

  it("refuses identifiers that would need quoting", () => {
    assert.throws(() => kfpDatabaseInitSql("kfp'; DROP", ["x"]), /not a safe MySQL identifier/);
  });
});
