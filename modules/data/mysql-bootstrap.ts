// The idempotent database bootstrap Job every database kind gets (in-cluster MySQL, RDS, Cloud SQL):
// it logs in as the admin user, creates KFP's databases and the `kfp` user, and grants that user
// exactly those databases. KFP's components wait for it (the contract's `database.readyResources`).
// It replaces the image's /docker-entrypoint-initdb.d scripts, which run only on an empty data
// directory and do not exist on managed databases.
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerResources } from "../config/quantities";
import type { ImageResolver } from "../images";
import { fromSecret, literal } from "../k8s/env";
import { objectMeta } from "../k8s/metadata";
import { bootstrapScript, bootstrapSql } from "./mysql-bootstrap-script";

export const BOOTSTRAP_NAME = "mysql-bootstrap";
const SCRIPT_DIR = "/etc/mysql-bootstrap";
/** The mysql client is a small process; requests are what quotas count. */
const RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } };

export interface MysqlBootstrapArgs {
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  /** Host and port of the server (a Service name, an RDS endpoint, a Cloud SQL private IP). */
  readonly host: pulumi.Input<string>;
  readonly port: number;
  /** Secret with keys `username` and `password` of a user that may create databases and users; only this Job mounts it. */
  readonly adminSecretName: string;
  /** Upstream's `mysql-secret` (keys `username`, `password`): the login KFP's components use. */
  readonly kfpSecretName: string;
  readonly kfpUser: string;
  /** The KFP user's password: a change re-runs the Job, which rotates it. */
  readonly kfpPassword: pulumi.Input<string>;
  readonly databases: readonly string[];
  /** What the server and the secrets need before the Job can log in. */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

export class MysqlBootstrap extends pulumi.ComponentResource {
  /** Completes once the databases, the user and its grants exist. */
  readonly job: k8s.batch.v1.Job;

  constructor(name: string, args: MysqlBootstrapArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:data:MysqlBootstrap", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const sql = bootstrapSql(args.kfpUser, args.databases);
    const script = bootstrapScript();
    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      { metadata: objectMeta(BOOTSTRAP_NAME, args.namespace), data: { "bootstrap.sh": script, "bootstrap.sql": sql } },
      { ...k8sOpts, dependsOn: args.dependsOn },
    );
    // A Job's pod template is immutable: any change of script, SQL or password replaces the Job, which
    // runs it again. The checksum of the password is not the password (a 32-character random string).
    const checksum = pulumi.unsecret(
      pulumi.output(args.kfpPassword).apply((password) => createHash("sha256").update(`${script}\n${sql}\n${password}`).digest("hex")),
    );
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
            spec: {
              restartPolicy: "Never",
              securityContext: { runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, seccompProfile: { type: "RuntimeDefault" } },
              volumes: [{ name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } }],
              containers: [
                {
                  name: "bootstrap",
                  // The pinned MySQL image carries the mysql client and /bin/sh.
                  image: args.images.ref("mysql"),
                  imagePullPolicy: "IfNotPresent",
                  command: ["/bin/sh", `${SCRIPT_DIR}/bootstrap.sh`],
                  env: [
                    literal("DB_HOST", args.host),
                    literal("DB_PORT", String(args.port)),
                    fromSecret("ADMIN_USER", args.adminSecretName, "username"),
                    fromSecret("ADMIN_PASSWORD", args.adminSecretName, "password"),
                    fromSecret("KFP_PASSWORD", args.kfpSecretName, "password"),
                  ],
                  resources: RESOURCES,
                  securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
                  volumeMounts: [{ name: "scripts", mountPath: SCRIPT_DIR, readOnly: true }],
                },
              ],
            },
          },
        },
      },
      // The provider waits for the Job's Complete condition and fails on Failed (its default timeout, 10
      // minutes, is raised to the Job's own deadline). The Job keeps its name across replacements, so
      // the old one must go first.
      { ...k8sOpts, dependsOn: [scripts, ...args.dependsOn], deleteBeforeReplace: true, customTimeouts: { create: "20m", update: "20m" } },
    );
    this.registerOutputs({ job: this.job.metadata.name });
  }
}
