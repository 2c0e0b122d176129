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
export function bootstrapScript(kfpUser: string): string {
  if (!IDENTIFIER.test(kfpUser)) throw new Error(`not a safe MySQL identifier: ${JSON.stringify(kfpUser)}`);
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
# ML Metadata 1.14.0 logs in with mysql_native_password only, which MySQL 8.4 ships disabled (on at server
# start with mysql_native_password=ON). Whether RDS for MySQL 8.4's parameter group takes it is checked on
# the first pulumi up (docs/aws.md): where the server has it off, say so and what to do, not a bare SQL error.
native=$(sql --batch --skip-column-names --execute="SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'mysql_native_password'")
if [ "$native" != "ACTIVE" ]; then
  echo "mysql-bootstrap: $DB_HOST:$DB_PORT has the mysql_native_password plugin \${native:-not installed}, not ACTIVE; ML Metadata 1.14.0 can log in with nothing else." >&2
  echo "mysql-bootstrap: on RDS for MySQL 8.4, the kit's parameter group sets mysql_native_password=ON: check it is applied (aws rds describe-db-instances: DBParameterGroups[].ParameterApplyStatus in-sync, else reboot the instance); on MySQL 8.4 elsewhere start mysqld with --mysql-native-password=ON. See docs/aws.md, 'Check on the first pulumi up'." >&2
  exit 3
fi
{
  printf "SET @kfp_password = '%s';\\n" "$KFP_PASSWORD"
  [ -z "\${MONITOR_PASSWORD:-}" ] || printf "SET @monitor_password = '%s';\\n" "$MONITOR_PASSWORD"
  cat "$(dirname "$0")/bootstrap.sql"
} | sql
plugin=$(sql --batch --skip-column-names --execute="SELECT plugin FROM mysql.user WHERE user = '${kfpUser}' AND host = '%'")
if [ "$plugin" != "mysql_native_password" ]; then
  echo "mysql-bootstrap: user ${kfpUser} authenticates with \${plugin:-nothing}, not mysql_native_password: ML Metadata 1.14.0 cannot log in. Re-run the Job once the server has mysql_native_password ACTIVE (docs/aws.md)." >&2
  exit 3
fi
echo "mysql-bootstrap: user ${kfpUser} authenticates with mysql_native_password"
echo "mysql-bootstrap: databases and user ready on $DB_HOST:$DB_PORT"
`;
}
