// In-cluster MySQL 8.4 under upstream KFP's names (Deployment/Service/ServiceAccount `mysql`, PVC
// `mysql-pv-claim`, Secret `mysql-secret`), hardened: generated credentials instead of root with an
// empty password, a dedicated KFP user owning only KFP's databases, limits, and probes.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Database } from "../foundation/contract";
import { fromSecret } from "../k8s/env";
import { objectMeta } from "../k8s/metadata";
import { kfpDeployment, kfpService } from "../k8s/workload";
import { persistentVolumeClaim } from "../k8s/volume";
import type { DataServiceArgs } from "./args";
import { KFP_DB_SECRET, MYSQL_PORT } from "./kfp-database";
import { kfpLogin } from "./kfp-login";

export type InClusterMysqlArgs = DataServiceArgs;

export { KFP_DATABASES, KFP_DB_USER } from "./kfp-database";
const PORT = MYSQL_PORT;
const SERVICE = "mysql";
const ROOT_SECRET = "mysql-root-credentials";

export class InClusterMysql extends pulumi.ComponentResource {
  /** The database as the foundation contract describes it. */
  readonly database: Database;

  constructor(name: string, args: InClusterMysqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:data:InClusterMysql", name, {}, opts);
    const { namespace, provider } = args;
    const k8sOpts = { parent: this, provider, dependsOn: args.dependsOn ?? [] };

    // Alphanumeric only: the password ends up in DSNs and command-line flags (MLMD) unescaped.
    const password = (suffix: string) =>
      new random.RandomPassword(`${name}-${suffix}`, { length: 32, special: false }, { parent: this }).result;
    const rootPassword = password("root-password");

    const rootSecret = new k8s.core.v1.Secret(
      `${name}-root-credentials`,
      { metadata: objectMeta(ROOT_SECRET, namespace), type: "Opaque", stringData: { password: rootPassword } },
      k8sOpts,
    );
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-service-account`,
      { metadata: objectMeta("mysql", namespace) },
      k8sOpts,
    );
    const claim = persistentVolumeClaim(`${name}-volume`, {
      name: "mysql-pv-claim",
      namespace,
      size: args.storageSize,
      storageClass: args.storageClass,
      protect: args.protectData,
      opts: k8sOpts,
    });

    const deployment = kfpDeployment(
      `${name}-deployment`,
      namespace,
      {
        name: "mysql",
        select: { app: "mysql" },
        // One writer on a ReadWriteOnce volume: the old pod must stop before the new one starts.
        recreate: true,
        resources: args.resources,
        pod: {
          serviceAccountName: serviceAccount.metadata.name,
          securityContext: { fsGroup: 999, fsGroupChangePolicy: "OnRootMismatch", seccompProfile: { type: "RuntimeDefault" } },
          volumes: [{ name: "mysql-persistent-storage", persistentVolumeClaim: { claimName: claim.metadata.name } }],
        },
        container: {
          name: "mysql",
          image: args.images.ref("mysql"),
          args: [
            "--datadir",
            "/var/lib/mysql",
            // ML Metadata's client authenticates with mysql_native_password (upstream KFP's setting).
            "--authentication-policy=mysql_native_password",
            "--mysql-native-password=ON",
            "--disable-log-bin",
          ],
          // Only root is created by the image; the KFP user and databases come from the bootstrap Job.
          env: [fromSecret("MYSQL_ROOT_PASSWORD", ROOT_SECRET, "password")],
          ports: [{ name: "mysql", containerPort: PORT }],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, runAsUser: 999, runAsGroup: 999, runAsNonRoot: true },
          // The first start initialises the data directory on a socket-only server, and a restart after a
          // crash replays InnoDB's redo log first: up to 30 minutes before liveness may restart it.
          startupProbe: { tcpSocket: { port: PORT }, periodSeconds: 10, failureThreshold: 180 },
          livenessProbe: { tcpSocket: { port: PORT }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
          // Ready only once root can log in over TCP, i.e. the image's initialisation has finished.
          readinessProbe: {
            exec: { command: ["sh", "-c", 'MYSQL_PWD="$MYSQL_ROOT_PASSWORD" mysql --protocol=TCP -h 127.0.0.1 -u root -e "SELECT 1"'] },
            periodSeconds: 10,
            timeoutSeconds: 5,
          },
          volumeMounts: [{ name: "mysql-persistent-storage", mountPath: "/var/lib/mysql" }],
        },
      },
      { ...k8sOpts, dependsOn: [...k8sOpts.dependsOn, rootSecret] },
    );
    const service = kfpService(`${name}-service`, namespace, SERVICE, { app: "mysql" }, [{ port: PORT }], k8sOpts);
    this.database = kfpLogin(
      name,
      {
        namespace,
        provider,
        images: args.images,
        host: SERVICE,
        bootstrapHost: `${SERVICE}.${namespace}.svc`,
        port: PORT,
        admin: { username: "root", password: rootPassword },
        dependsOn: args.dependsOn ?? [],
        serverReady: [deployment, service],
        alsoReady: [service],
      },
      this,
    );
    this.registerOutputs({ host: this.database.host, port: this.database.port, secretName: KFP_DB_SECRET });
  }
}
