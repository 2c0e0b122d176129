// What every database kind provides KFP: the same four databases and the same user, created by the
// bootstrap Job, and upstream's Secret name for that user's login.

/** The KFP user: owns KFP's databases and nothing else (never root or the RDS master user). */
export const KFP_DB_USER = "kfp";
/** Upstream's three databases, plus one for Argo's workflow archive and offloaded node status. */
export const KFP_DATABASES = { pipelines: "mlpipeline", cache: "cachedb", metadata: "metadb", workflows: "argo" } as const;
/** Upstream's Secret with the KFP login (keys `username`, `password`), in the platform namespace. */
export const KFP_DB_SECRET = "mysql-secret";
/** MySQL's port. */
export const MYSQL_PORT = 3306;
