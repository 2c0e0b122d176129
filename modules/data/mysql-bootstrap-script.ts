// The database bootstrap's script and SQL: KFP's databases, the `kfp` user and its grants on any MySQL
// the kit is given (in-cluster, RDS, Cloud SQL) through an ordinary admin login. Idempotent: every
// statement is "create if missing, then make it so", so re-running after an upgrade, a password
// rotation or an install by upstream's manifests converges instead of failing.

/** Names that are safe to splice into SQL as identifiers. */
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/** Grants of the metrics user: what mysqld_exporter's default collectors read (SHOW GLOBAL STATUS and
 * VARIABLES need none; replica status needs REPLICATION CLIENT; the InnoDB compression tables in
 * information_schema need PROCESS), and no SELECT on any data. Upstream's README also grants SELECT ON
 * *.*, which only its optional collectors need. test/mysql-bootstrap.test.ts runs the exporter with it. */
export const MONITOR_GRANTS = "PROCESS, REPLICATION CLIENT";

/** Connections the metrics user may hold at once (mysqld_exporter's README). */
const MONITOR_MAX_CONNECTIONS = 3;

/**
 * SQL run as the admin user with `@kfp_password` (and `@monitor_password`) already set. Users are created
 * with mysql_native_password from their hash, because ML Metadata 1.14.0's client (MariaDB Connector/C
 * 3.0.8) speaks nothing else; the hash is computed in SQL and the statement prepared so the same text
 * runs on MySQL 8.4 (where PASSWORD() is gone) and MariaDB. `ALTER USER` after `CREATE USER IF NOT EXISTS`
 * rotates the password and fixes the plugin of a user that already existed.
 */
export function bootstrapSql(user: string, databases: readonly string[], monitorUser?: string): string {
  for (const name of [user, ...databases, ...(monitorUser ? [monitorUser] : [])]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a safe MySQL identifier: ${JSON.stringify(name)}`);
  }
  const nativeUser = (name: string, hash: string, suffix = "") =>
    ["CREATE USER IF NOT EXISTS", "ALTER USER"].map((verb) =>
      [
        `SET @stmt = CONCAT('${verb} ''${name}''@''%'' IDENTIFIED WITH mysql_native_password AS ''', ${hash}, '''${suffix}');`,
        "PREPARE stmt FROM @stmt;",
        "EXECUTE stmt;",
        "DEALLOCATE PREPARE stmt;",
      ].join("\n"),
    );
  const hashOf = (variable: string) => `SET ${variable}_hash = CONCAT('*', UPPER(SHA1(UNHEX(SHA1(${variable}_password)))));`;
  return [
    "-- kfp-platform database bootstrap: KFP's databases and its user; safe to re-run.",
    hashOf("@kfp"),
    ...nativeUser(user, "@kfp_hash"),
    // utf8mb4 as MySQL 8 defaults to (KFP stores manifests and names in any language); explicit, so a
    // server with another default (MariaDB's latin1) creates the same databases.
    ...databases.flatMap((db) => [`CREATE DATABASE IF NOT EXISTS \`${db}\` DEFAULT CHARACTER SET utf8mb4;`, `GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${user}'@'%';`]),
    ...(monitorUser
      ? [
          "-- The metrics user mysqld_exporter logs in as: server status only, no data.",
          hashOf("@monitor"),
          ...nativeUser(monitorUser, "@monitor_hash", ` WITH MAX_USER_CONNECTIONS ${MONITOR_MAX_CONNECTIONS}`),
          `GRANT ${MONITOR_GRANTS} ON *.* TO '${monitorUser}'@'%';`,
        ]
      : []),
    "",
  ].join("\n");
}

/** How long the script waits for the server to accept the admin login (a fresh RDS or a recovering MySQL): 5 minutes. */
const WAIT = { attempts: 60, intervalSeconds: 5 } as const;

/**
 * The Job's entrypoint. Reads DB_HOST, DB_PORT, ADMIN_USER, ADMIN_PASSWORD, KFP_PASSWORD and (with a metrics user) MONITOR_PASSWORD from the
 * environment (BOOTSTRAP_ATTEMPTS may shorten the wait) and bootstrap.sql from its own directory. The password is spliced into SQL, so it must
 * be alphanumeric (the kit generates it so); anything else stops the script before it connects.
 */
export function bootstrapScript(): string {
  return `#!/bin/sh
# kfp-platform database bootstrap (see bootstrap.sql). Exit 0 only when every statement succeeded.
set -eu
case "\${KFP_PASSWORD:-}" in
  "" | *[!A-Za-z0-9]*) echo "mysql-bootstrap: KFP_PASSWORD must be a non-empty alphanumeric string" >&2; exit 2 ;;
esac
case "\${MONITOR_PASSWORD-unset}" in
  unset) ;;
  "" | *[!A-Za-z0-9]*) echo "mysql-bootstrap: MONITOR_PASSWORD must be a non-empty alphanumeric string" >&2; exit 2 ;;
esac
export MYSQL_PWD="$ADMIN_PASSWORD"
sql() { mysql --no-defaults --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" --user="$ADMIN_USER" --connect-timeout=10 "$@"; }
attempt=1
attempts="\${BOOTSTRAP_ATTEMPTS:-${WAIT.attempts}}"
until sql --execute="SELECT 1" >/dev/null 2>&1; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "mysql-bootstrap: MySQL at $DB_HOST:$DB_PORT did not accept user $ADMIN_USER; last error:" >&2
    sql --execute="SELECT 1" || true
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep ${WAIT.intervalSeconds}
done
{
  printf "SET @kfp_password = '%s';\\n" "$KFP_PASSWORD"
  [ -z "\${MONITOR_PASSWORD:-}" ] || printf "SET @monitor_password = '%s';\\n" "$MONITOR_PASSWORD"
  cat "$(dirname "$0")/bootstrap.sql"
} | sql
echo "mysql-bootstrap: databases and user ready on $DB_HOST:$DB_PORT"
`;
}
