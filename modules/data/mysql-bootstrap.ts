// The idempotent database bootstrap Job every database kind gets (in-cluster MySQL, RDS, Cloud SQL):
// it logs in as the admin user, creates KFP's databases and the `kfp` user, and grants that user
// exactly those databases. KFP's components wait for it (the contract's `database.readyResources`).
// It replaces the image's /docker-entrypoint-initdb.d scripts, which run only on an empty data
// directory and do not exist on managed databases.
//
// It runs in a namespace of its own: the admin password must not sit in the platform namespace,
// where KFP's service accounts (pipeline steps' `pipeline-runner` among them) may read Secrets.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { contentChecksum } from "../k8s/checksum";
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";
import { fromSecret, literal } from "../k8s/env";
import { objectMeta } from "../k8s/metadata";
import { podSecurityLabels } from "../k8s/pod-security";
import { scriptPod } from "../k8s/script-job";
import type { DatabaseMonitorLogin } from "../foundation/contract";
import type { DatabaseClient } from "../foundation/database-clients";
import { bootstrapScript, bootstrapSql } from "./mysql-bootstrap-script";

export const BOOTSTRAP_NAME = "mysql-bootstrap";
/** The bootstrap's own namespace beside the platform's (the admin password stays out of the platform namespace). */
export const bootstrapNamespace = (platformNamespace: string) => `${platformNamespace}-db-bootstrap`;

/** The bootstrap Job connects from its own namespace, where nothing else runs. */
export const bootstrapDatabaseClient = (platformNamespace: string): DatabaseClient => ({ name: "database bootstrap", namespace: bootstrapNamespace(platformNamespace) });
/** The metrics user mysqld_exporter logs in as (server status only; MONITOR_GRANTS). */
export const MONITOR_DB_USER = "kfp_monitor";
const SCRIPT_DIR = "/etc/mysql-bootstrap";
/** The mysql client is a small process; requests are what quotas count. */
const RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };

export interface MysqlBootstrapArgs {
  /** Namespace the component creates for the Job and its credentials. */
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  /** Host and port of the server as seen from any namespace (a Service FQDN, an RDS endpoint, a Cloud SQL IP). */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  /** A login that may create databases and users (root, RDS's master user). */
  readonly admin: { readonly username: pulumi.Input<string>; readonly password: pulumi.Input<string> };
  readonly kfpUser: string;
  /** The KFP user's password: a change re-runs the Job, which rotates it. */
  readonly kfpPassword: pulumi.Input<string>;
  readonly databases: readonly string[];
  /** What the server needs before the Job can log in. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class MysqlBootstrap extends pulumi.ComponentResource {
  /** Completes once the databases, the users and their grants exist. */
  readonly job: k8s.batch.v1.Job;
  /** The metrics user's login, for mysqld_exporter. */
  readonly monitor: DatabaseMonitorLogin;

  constructor(name: string, args: MysqlBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:data:MysqlBootstrap", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      // The Job meets the restricted Pod Security level, so the namespace enforces it.
      { metadata: objectMeta(args.namespace, undefined, podSecurityLabels("restricted")) },
      k8sOpts,
    );
    const inNamespace = { ...k8sOpts, dependsOn: [namespace] };
    // Alphanumeric: the script splices it into SQL and refuses anything else.
    const monitorPassword = pulumi.secret(new random.RandomPassword(`${name}-monitor-password`, { length: 32, special: false }, { parent: this }).result);
    this.monitor = { host: args.host, port: args.port, username: MONITOR_DB_USER, password: monitorPassword };
    const credentials = new k8s.core.v1.Secret(
      `${name}-credentials`,
      {
        metadata: objectMeta(BOOTSTRAP_NAME, args.namespace),
        type: "Opaque",
        stringData: {
          ADMIN_USER: args.admin.username,
          ADMIN_PASSWORD: pulumi.secret(args.admin.password),
          KFP_PASSWORD: pulumi.secret(args.kfpPassword),
          MONITOR_PASSWORD: monitorPassword,
        },
      },
      inNamespace,
    );
    const sql = bootstrapSql(args.kfpUser, args.databases, MONITOR_DB_USER);
    const script = bootstrapScript(args.kfpUser);
    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      { metadata: objectMeta(BOOTSTRAP_NAME, args.namespace), data: { "bootstrap.sh": script, "bootstrap.sql": sql } },
      inNamespace,
    );
    // A Job's pod template is immutable: any change of script, SQL or password replaces the Job, which
    // runs it again. The checksum of the passwords is not a password (they are 32-character random strings).
    const checksum = pulumi.unsecret(
      pulumi.all([args.kfpPassword, monitorPassword]).apply(([kfp, monitor]) => contentChecksum({ script, sql, kfp, monitor })),
    );
    const secretEnv = (key: string) => fromSecret(key, BOOTSTRAP_NAME, key);
    this.job = new k8s.batch.v1.Job(
      `${name}-job`,
      {
        metadata: objectMeta(BOOTSTRAP_NAME, args.namespace, { app: BOOTSTRAP_NAME }),
        spec: {
          backoffLimit: 4,
          // The script waits up to 5 minutes for the server; a Job that hangs beyond this is failed.
          activeDeadlineSeconds: 1200,
          template: {
            metadata: { labels: { app: BOOTSTRAP_NAME }, annotations: { "kfp-platform/bootstrap-checksum": checksum } },
            spec: scriptPod({
              container: "bootstrap",
              // The pinned MySQL image carries the mysql client and /bin/sh.
              image: args.images.ref("mysql"),
              command: ["/bin/sh", "bootstrap.sh"],
              scripts: scripts.metadata.name,
              scriptDir: SCRIPT_DIR,
              env: [literal("DB_HOST", args.host), literal("DB_PORT", String(args.port)), ...["ADMIN_USER", "ADMIN_PASSWORD", "KFP_PASSWORD", "MONITOR_PASSWORD"].map(secretEnv)],
              resources: RESOURCES,
              runAs: { user: 999, group: 999 },
            }),
          },
        },
      },
      // The provider waits for the Job's Complete condition and fails on Failed (its default timeout, 10
      // minutes, is raised to the Job's own deadline). The Job keeps its name across replacements, so
      // the old one must go first.
      {
        ...k8sOpts,
        dependsOn: [namespace, scripts, credentials, ...args.dependsOn],
        deleteBeforeReplace: true,
        customTimeouts: { create: "20m", update: "20m" },
      },
    );
    this.registerOutputs({ job: this.job.metadata.name });
  }
}
