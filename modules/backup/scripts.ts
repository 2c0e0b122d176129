// The scripts of the database backup CronJob and the restore Job, in two steps each so every step runs
// in the image that has its tool: the MySQL image dumps and loads (mysqldump, mysql), the AWS CLI image
// uploads and downloads (S3 with IRSA or keys; MinIO, or GCS's XML API with an HMAC key, through the
// endpoint URL and settings index.ts's awsCliSettings derives from the store). They share an emptyDir.
// POSIX sh, no pipes whose failures would hide (dash has no pipefail): every step checks its result.

/** File names inside the shared directory and under each backup's key. */
export const DUMP_FILE = "kfp.sql";
export const CHECKSUM_FILE = "kfp.sql.sha256";
/** The last line mysqldump and mariadb-dump write: a dump without it was cut short. */
const TRAILER = "^-- Dump completed";

const s3Helper = `s3() {
  if [ -n "\${S3_ENDPOINT_URL:-}" ]; then aws --endpoint-url "$S3_ENDPOINT_URL" "$@"; else aws "$@"; fi
}`;

/**
 * Step 1 of a backup (MySQL image): a consistent online dump of KFP's databases as the `kfp` user.
 * --single-transaction reads InnoDB at one snapshot without locking tables; --no-tablespaces needs no
 * PROCESS privilege. No --routines or --events: KFP, ML Metadata and Argo create tables only, and MySQL
 * 8.4 needs the global SELECT privilege to dump routines, which the kfp user rightly lacks.
 * Env: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DATABASES (space-separated), BACKUP_DIR.
 */
export function dumpScript(): string {
  return `#!/bin/sh
# kfp-platform backup, step 1 of 2: dump KFP's databases to $BACKUP_DIR/${DUMP_FILE}.
set -eu
export MYSQL_PWD="$DB_PASSWORD"
flags="--single-transaction --quick --triggers --hex-blob --no-tablespaces"
# MySQL's mysqldump writes GTID_PURGED by default, which a restore into another server must not replay.
if ! mysqldump --version | grep -q MariaDB; then flags="$flags --set-gtid-purged=OFF"; fi
# shellcheck disable=SC2086
mysqldump --no-defaults --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" $flags --databases $DATABASES > "$BACKUP_DIR/${DUMP_FILE}"
if ! tail -n 1 "$BACKUP_DIR/${DUMP_FILE}" | grep -q '${TRAILER}'; then
  echo "backup: the dump of $DATABASES did not complete" >&2
  exit 1
fi
echo "backup: dumped $DATABASES ($(wc -c < "$BACKUP_DIR/${DUMP_FILE}") bytes)"
`;
}

/**
 * Step 2 of a backup (AWS CLI image): upload the dump and its checksum under <PREFIX>/<UTC stamp>/, check
 * the stored size, and delete backups older than RETENTION_DAYS. Env: BUCKET, PREFIX, RETENTION_DAYS,
 * BACKUP_DIR, AWS_REGION, optionally S3_ENDPOINT_URL (MinIO, GCS) and AWS credentials (keys; IRSA needs none).
 */
export function uploadScript(): string {
  return `#!/bin/sh
# kfp-platform backup, step 2 of 2: upload the dump, verify it, prune old backups.
set -eu
${s3Helper}
cd "$BACKUP_DIR"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
key="$PREFIX/$stamp"
sha256sum ${DUMP_FILE} > ${CHECKSUM_FILE}
size=$(wc -c < ${DUMP_FILE} | tr -d ' ')
s3 s3 cp --only-show-errors ${DUMP_FILE} "s3://$BUCKET/$key/${DUMP_FILE}"
s3 s3 cp --only-show-errors ${CHECKSUM_FILE} "s3://$BUCKET/$key/${CHECKSUM_FILE}"
stored=$(s3 s3api head-object --bucket "$BUCKET" --key "$key/${DUMP_FILE}" --query ContentLength --output text)
if [ "$stored" != "$size" ]; then
  echo "backup: s3://$BUCKET/$key/${DUMP_FILE} holds $stored bytes, the dump has $size" >&2
  exit 1
fi
echo "backup: stored s3://$BUCKET/$key/${DUMP_FILE} ($size bytes)"
cutoff=$(date -u -d "@$(( $(date +%s) - RETENTION_DAYS * 86400 ))" +%Y%m%dT%H%M%SZ)
for old in $(s3 s3api list-objects-v2 --bucket "$BUCKET" --prefix "$PREFIX/" --delimiter / --query 'CommonPrefixes[].Prefix' --output text); do
  [ "$old" = "None" ] && continue
  stampOf=$(basename "$old")
  if [ "$stampOf" != "$stamp" ] && [ "$(printf '%s\\n%s\\n' "$stampOf" "$cutoff" | sort | head -n 1)" = "$stampOf" ]; then
    s3 s3 rm --recursive --only-show-errors "s3://$BUCKET/$old"
    echo "backup: pruned $stampOf (older than $RETENTION_DAYS days)"
  fi
done
`;
}

/**
 * Step 1 of a restore (AWS CLI image): download a backup (BACKUP = a stamp, or "latest") and prove it
 * whole before anything touches the database: the checksum must match and the dump must end with
 * mysqldump's trailer. Writes BACKUP_DIR/verified only then. Env: BUCKET, PREFIX, BACKUP, BACKUP_DIR.
 */
export function downloadScript(): string {
  return `#!/bin/sh
# kfp-platform restore, step 1 of 2: fetch and verify a backup.
set -eu
${s3Helper}
cd "$BACKUP_DIR"
stamp="$BACKUP"
if [ "$stamp" = "latest" ]; then
  stamp=""
  for p in $(s3 s3api list-objects-v2 --bucket "$BUCKET" --prefix "$PREFIX/" --delimiter / --query 'CommonPrefixes[].Prefix' --output text); do
    [ "$p" = "None" ] || stamp=$(basename "$p")
  done
  [ -n "$stamp" ] || { echo "restore: no backup under s3://$BUCKET/$PREFIX/" >&2; exit 1; }
fi
s3 s3 cp --only-show-errors "s3://$BUCKET/$PREFIX/$stamp/${DUMP_FILE}" ${DUMP_FILE}
s3 s3 cp --only-show-errors "s3://$BUCKET/$PREFIX/$stamp/${CHECKSUM_FILE}" ${CHECKSUM_FILE}
if ! sha256sum -c ${CHECKSUM_FILE} >/dev/null 2>&1; then
  echo "restore: backup $stamp does not match its checksum: refusing to load it" >&2
  exit 1
fi
if ! tail -n 1 ${DUMP_FILE} | grep -q '${TRAILER}'; then
  echo "restore: backup $stamp was cut short (no dump trailer): refusing to load it" >&2
  exit 1
fi
echo "$stamp" > verified
echo "restore: backup $stamp verified"
`;
}

/** Step 2 of a restore (MySQL image): load the verified dump. Env: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, BACKUP_DIR. */
export function loadScript(): string {
  return `#!/bin/sh
# kfp-platform restore, step 2 of 2: load the verified dump into KFP's databases.
set -eu
[ -f "$BACKUP_DIR/verified" ] || { echo "restore: no verified backup in $BACKUP_DIR" >&2; exit 1; }
export MYSQL_PWD="$DB_PASSWORD"
mysql --no-defaults --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" --user="$DB_USER" < "$BACKUP_DIR/${DUMP_FILE}"
echo "restore: loaded backup $(cat "$BACKUP_DIR/verified") into $DB_HOST"
`;
}
