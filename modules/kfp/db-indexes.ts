// The indexes KFP 2.14.0 lacks on `tasks` (issue #23), added by an idempotent Job after the API server's
// first start, on every database kind (in-cluster MySQL, RDS, Cloud SQL).
//
// KFP's gorm migrations give `tasks` its primary key (UUID) and, through the foreign key to run_details,
// an index on RunUUID, and nothing else (client_manager.go:393-489 at 2.14.0). Yet every persistence-agent
// report looks tasks up by PodName (storage/task_store.go:327-336 patchWithExistingTasks), and every cache
// lookup of a pipeline step by Fingerprint, PipelineName and Namespace, newest first (v2/cacheutils/
// cache.go:106-129 -> task_store.go:214-299 ListTasks): full scans of a table that grows by ~70 rows per
// run and is never pruned. test/fixtures/kfp-2.14.0-db.ts holds that SQL and gorm's DDL; docs/scaling.md
// the measurements.
//
// The Job logs in as the `kfp` user from upstream's `mysql-secret`, as KFP's own components do: the
// bootstrap grants it ALL PRIVILEGES on its databases (data/mysql-bootstrap-script.ts), which include
// INDEX and ALTER, so no admin password enters the platform namespace. It waits until gorm has created the
// columns it indexes, then creates each index only when none by its name or on the same leading columns
// exists (information_schema.statistics, the check gorm's own AddIndex makes), online (InnoDB
// ALGORITHM=INPLACE, LOCK=NONE: reports and lookups go on while a large table is indexed).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { Database } from "../foundation/contract";
import type { DatabaseClient } from "../foundation/database-clients";
import type { ImageResolver } from "../images";
import { contentChecksum } from "../k8s/checksum";
import { fromSecret, literal } from "../k8s/env";
import { kitMeta } from "../k8s/metadata";
import { scriptPod } from "../k8s/script-job";
import type { ContainerResources } from "../k8s/workload";

export const DB_INDEXES_NAME = "kfp-db-indexes";
/** Its pods, for the in-cluster MySQL's NetworkPolicy (multi-user). */
export const DB_INDEXES_CLIENT: DatabaseClient = { name: "index Job", podLabels: { "app.kubernetes.io/name": DB_INDEXES_NAME } };

export interface IndexFact {
  readonly table: string;
  readonly name: string;
  readonly columns: readonly string[];
  /** The statement it serves, with its source at KFP 2.14.0. */
  readonly serves: string;
}

/** What the Job adds. Names carry the kit's prefix, so whoever reads SHOW INDEX knows where they come from. */
export const TASK_INDEXES: readonly IndexFact[] = [
  {
    table: "tasks",
    name: "kfp_platform_tasks_pod_name",
    columns: ["PodName"],
    serves: "every report: SELECT ... FROM tasks WHERE PodName IN (...) (storage/task_store.go:327-336 patchWithExistingTasks)",
  },
  {
    table: "tasks",
    name: "kfp_platform_tasks_cache_lookup",
    // Equality columns first, then the sort column: the newest match is the index's last entry for the key.
    // 3 x varchar(255) in utf8mb4 (1020 bytes each) + bigint = 3068 bytes, within InnoDB's 3072 for DYNAMIC rows.
    columns: ["Fingerprint", "PipelineName", "Namespace", "CreatedTimestamp"],
    serves:
      "every cache lookup: SELECT ... FROM tasks WHERE Fingerprint = ? AND PipelineName = ? AND Namespace = ? ORDER BY CreatedTimestamp DESC, UUID DESC LIMIT 2, and its count(*) (storage/task_store.go:214-299 ListTasks)",
  },
];

/** Names that are safe to splice into SQL as identifiers and string literals. */
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

/**
 * One query that answers 1 once every column the indexes need exists in the current database, 0 before:
 * gorm creates a table with all its columns at once (scope.go createTable), so this is "the API server has
 * migrated `tasks`".
 */
export function waitSql(indexes: readonly IndexFact[] = TASK_INDEXES): string {
  const byTable = new Map<string, Set<string>>();
  for (const index of indexes) for (const column of index.columns) (byTable.get(index.table) ?? byTable.set(index.table, new Set()).get(index.table)!).add(column);
  for (const name of [...byTable.keys(), ...[...byTable.values()].flatMap((s) => [...s])]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a safe MySQL identifier: ${JSON.stringify(name)}`);
  }
  const wanted = [...byTable.values()].reduce((n, s) => n + s.size, 0);
  const clauses = [...byTable.entries()].map(([table, columns]) => `(TABLE_NAME = '${table}' AND COLUMN_NAME IN (${[...columns].map((c) => `'${c}'`).join(", ")}))`);
  return `SELECT COUNT(*) = ${wanted} FROM information_schema.columns WHERE TABLE_SCHEMA = DATABASE() AND (${clauses.join(" OR ")});\n`;
}

/**
 * The SQL the Job runs in KFP's pipeline database (the client's --database). For each index: count the
 * indexes of its table that have its name or begin with its columns, in order (any of them serves the
 * query), and prepare either CREATE INDEX or a no-op. Prepared statements, because plain SQL has no IF
 * outside stored programs, which the `kfp` user may not create everywhere. The same text runs on MySQL
 * 8.4 and MariaDB.
 */
export function indexSql(indexes: readonly IndexFact[] = TASK_INDEXES): string {
  const lines = ["-- kfp-platform: the indexes KFP 2.14.0 lacks on its tasks table (modules/kfp/db-indexes.ts); safe to re-run."];
  for (const index of indexes) {
    for (const name of [index.table, index.name, ...index.columns]) {
      if (!IDENTIFIER.test(name)) throw new Error(`not a safe MySQL identifier: ${JSON.stringify(name)}`);
    }
    const prefix = `${index.columns.join(",")},`;
    const label = `${index.table}.${index.name} (${index.columns.join(", ")})`;
    const create = `CREATE INDEX \`${index.name}\` ON \`${index.table}\` (${index.columns.map((c) => `\`${c}\``).join(", ")}) ALGORITHM=INPLACE LOCK=NONE`;
    lines.push(
      `-- ${index.serves}`,
      "SET @present = (SELECT COUNT(*) FROM (",
      "    SELECT INDEX_NAME, CONCAT(GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ','), ',') AS cols",
      `    FROM information_schema.statistics WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${index.table}' GROUP BY INDEX_NAME`,
      `  ) AS existing WHERE INDEX_NAME = '${index.name}' OR LEFT(cols, ${prefix.length}) = '${prefix}');`,
      `SELECT CONCAT('${label}: ', IF(@present > 0, 'present, kept', 'absent, creating it online'));`,
      `SET @stmt = IF(@present > 0, 'DO 0', '${create}');`,
      "PREPARE stmt FROM @stmt;",
      "EXECUTE stmt;",
      "DEALLOCATE PREPARE stmt;",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** How long the script waits for the login and for the API server's tables: 10 minutes. */
const WAIT = { attempts: 120, intervalSeconds: 5 } as const;

/**
 * The Job's entrypoint: reads DB_HOST, DB_PORT, DB_NAME, DB_USER and DB_PASSWORD (INDEX_WAIT_ATTEMPTS and
 * INDEX_WAIT_INTERVAL may change the wait), and wait.sql and indexes.sql from its own directory.
 */
export function indexScript(): string {
  return `#!/bin/sh
# kfp-platform: the indexes KFP 2.14.0 lacks (see indexes.sql). Exit 0 only when every index exists.
set -eu
export MYSQL_PWD="$DB_PASSWORD"
dir=$(dirname "$0")
sql() { mysql --no-defaults --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" --database="$DB_NAME" --connect-timeout=10 --batch --skip-column-names "$@"; }
attempt=1
attempts="\${INDEX_WAIT_ATTEMPTS:-${WAIT.attempts}}"
interval="\${INDEX_WAIT_INTERVAL:-${WAIT.intervalSeconds}}"
# Until the login works and the API server has created the columns to index (its first start migrates them).
until [ "$(sql < "$dir/wait.sql" 2>/dev/null)" = "1" ]; do
  if [ "$attempt" -ge "$attempts" ]; then
    echo "kfp-db-indexes: KFP's tables did not appear in $DB_NAME on $DB_HOST:$DB_PORT (the API server creates them when it first starts); last answer:" >&2
    sql < "$dir/wait.sql" >&2 || true
    exit 1
  fi
  [ "$attempt" -gt 1 ] || echo "kfp-db-indexes: waiting for KFP's API server to create its tables in $DB_NAME"
  attempt=$((attempt + 1))
  sleep "$interval"
done
sql < "$dir/indexes.sql"
echo "kfp-db-indexes: every index present in $DB_NAME on $DB_HOST:$DB_PORT"
`;
}

/** The mysql client is a small process; the server builds the index. */
const RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };
const SCRIPT_DIR = "/etc/kfp-db-indexes";
/** An online index build of a few million rows takes minutes; the wait for the tables at most 10. */
const DEADLINE_SECONDS = 3600;

export interface DbIndexJobArgs {
  readonly namespace: string;
  readonly database: Database;
  readonly images: ImageResolver;
  /** Parent, provider and what it waits for (the namespace, the API server's Deployment). */
  readonly opts: pulumi.CustomResourceOptions;
}

/** The ConfigMap with the script and SQL, and the Job; Pulumi waits for the Job to complete. */
export function createDbIndexJob(prefix: string, args: DbIndexJobArgs): k8s.batch.v1.Job {
  const { namespace, database, opts } = args;
  const files = { "indexes.sh": indexScript(), "wait.sql": waitSql(), "indexes.sql": indexSql() };
  const scripts = new k8s.core.v1.ConfigMap(`${prefix}-scripts`, { metadata: kitMeta(DB_INDEXES_NAME, namespace), data: files }, opts);
  // A Job's pod template is immutable: a change of script or SQL changes the checksum, which replaces the Job.
  const checksum = contentChecksum(files);
  const labels = { "app.kubernetes.io/name": DB_INDEXES_NAME };
  return new k8s.batch.v1.Job(
    `${prefix}-job`,
    {
      metadata: kitMeta(DB_INDEXES_NAME, namespace, labels),
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: DEADLINE_SECONDS,
        template: {
          metadata: { labels, annotations: { "kfp-platform/indexes-checksum": checksum } },
          spec: scriptPod({
            container: "indexes",
            // The pinned MySQL image carries the mysql client and /bin/sh (as for the bootstrap Job); its mysql user.
            image: args.images.ref("mysql"),
            command: ["/bin/sh", "indexes.sh"],
            scripts: scripts.metadata.name,
            scriptDir: SCRIPT_DIR,
            env: [
              literal("DB_HOST", database.host),
              literal("DB_PORT", String(database.port)),
              literal("DB_NAME", database.databases.pipelines),
              fromSecret("DB_USER", database.secretName, "username"),
              fromSecret("DB_PASSWORD", database.secretName, "password"),
            ],
            resources: RESOURCES,
            runAs: { user: 999, group: 999 },
          }),
        },
      },
    },
    {
      ...opts,
      dependsOn: [...((opts.dependsOn as pulumi.Resource[] | undefined) ?? []), scripts],
      // The Job keeps its name across replacements, so the old one must go first; the provider waits for
      // Complete up to the Job's own deadline.
      deleteBeforeReplace: true,
      customTimeouts: { create: "60m", update: "60m" },
    },
  );
}
