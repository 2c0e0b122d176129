// SQL the in-cluster MySQL runs once, on an empty data directory (/docker-entrypoint-initdb.d), after
// the image's entrypoint has created the KFP user from MYSQL_USER/MYSQL_PASSWORD. KFP then needs no
// global privileges: each database exists and the KFP user owns exactly those three.

/** Names that are safe to splice into SQL as identifiers. */
const IDENTIFIER = /^[A-Za-z0-9_]{1,64}$/;

export function kfpDatabaseInitSql(user: string, databases: readonly string[]): string {
  for (const name of [user, ...databases]) {
    if (!IDENTIFIER.test(name)) throw new Error(`not a safe MySQL identifier: ${JSON.stringify(name)}`);
  }
  const lines = ["-- kfp-platform: databases for KFP (runs, cache, ML Metadata) and the KFP user's grants."];
  for (const db of databases) {
    lines.push(`CREATE DATABASE IF NOT EXISTS \`${db}\`;`);
    lines.push(`GRANT ALL PRIVILEGES ON \`${db}\`.* TO '${user}'@'%';`);
  }
  lines.push("FLUSH PRIVILEGES;", "");
  return lines.join("\n");
}
