// KFP's database on Cloud SQL for MySQL: a private-IP instance in the cluster's network (private services
// access), daily backups with binary logs (point-in-time recovery), regional availability and deletion
// protection in prod; the Cloud SQL Auth Proxy (Workload Identity, IAM-authorised TLS) behind Service
// `mysql` in the platform namespace, as upstream's GCP overlay runs it; and the same bootstrap Job every
// database kind gets, through the proxy.
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { StackConfig } from "../../config/schema";
import { MYSQL_PORT } from "../../data/kfp-database";
import { kfpLogin } from "../../data/kfp-login";
import type { ImageResolver } from "../../images";
import { objectMeta } from "../../k8s/metadata";
import { kfpDeployment, kfpService, RUNTIME_DEFAULT_SECCOMP } from "../../k8s/workload";
import { cloudSqlMysql } from "../../versions";
import type { Database } from "../../foundation/contract";
import { workloadIdentityBinding } from "./workload-identity";

type CloudSqlConfig = Extract<StackConfig["database"], { kind: "cloudsql" }>;

export const PROXY = "cloudsql-proxy";
/** Service name KFP's components dial for MySQL (upstream's). */
const SERVICE = "mysql";
const HEALTH_PORT = 9090;

export interface CloudSqlArgs {
  readonly config: CloudSqlConfig;
  readonly project: string;
  readonly region: string;
  readonly clusterName: string;
  readonly network: pulumi.Input<string>;
  /** The range private services access reserves (network.privateServicesCidr). */
  readonly privateServicesCidr: string;
  /** What takes ranges in the network first (the kit's subnetwork), so the reservation never races it. */
  readonly networkReady: pulumi.Resource[];
  readonly namespace: string;
  readonly protect: boolean;
  readonly images: ImageResolver;
  /** The GKE cluster (its creation brings the workload pool the proxy's binding names). */
  readonly cluster: pulumi.Resource;
  readonly provider: gcp.Provider;
  readonly k8sProvider: k8s.Provider;
  readonly dependsOn: pulumi.Resource[];
}

export class CloudSqlMysql extends pulumi.ComponentResource {
  readonly instance: gcp.sql.DatabaseInstance;
  readonly database: Database;

  constructor(name: string, args: CloudSqlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:gcp:CloudSqlMysql", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const c = args.config;

    // Private services access: a range of the VPC peered to Google's service producer network. Named
    // explicitly: left to GCP, it picks any range not yet in use, which can be one the subnetwork is still
    // being created with (terraform-provider-google#2308).
    const [address, prefix] = args.privateServicesCidr.split("/");
    const range = new gcp.compute.GlobalAddress(
      `${name}-private-range`,
      { name: `${args.clusterName}-sql`, purpose: "VPC_PEERING", addressType: "INTERNAL", address, prefixLength: Number(prefix), network: args.network },
      { ...child, dependsOn: args.networkReady },
    );
    const peering = new gcp.servicenetworking.Connection(
      `${name}-peering`,
      { network: args.network, service: "servicenetworking.googleapis.com", reservedPeeringRanges: [range.name], deletionPolicy: "ABANDON" },
      child,
    );
    const rootPassword = pulumi.secret(new random.RandomPassword(`${name}-root-password`, { length: 32, special: false }, { parent: this }).result);
    this.instance = new gcp.sql.DatabaseInstance(
      name,
      {
        name: `${args.clusterName}-kfp`,
        region: args.region,
        databaseVersion: cloudSqlMysql.databaseVersion,
        rootPassword,
        deletionProtection: args.protect,
        settings: {
          tier: c.tier,
          edition: "ENTERPRISE",
          availabilityType: c.highAvailability ? "REGIONAL" : "ZONAL",
          diskSize: c.diskGb,
          diskAutoresize: true,
          deletionProtectionEnabled: args.protect,
          // Regional MySQL needs backups with binary logs; they also give point-in-time recovery.
          backupConfiguration: {
            enabled: true,
            binaryLogEnabled: true,
            startTime: "02:00",
            transactionLogRetentionDays: Math.min(7, c.backupRetentionDays!),
            backupRetentionSettings: { retainedBackups: c.backupRetentionDays!, retentionUnit: "COUNT" },
          },
          ipConfiguration: { ipv4Enabled: false, privateNetwork: args.network, sslMode: "ENCRYPTED_ONLY" },
        },
      },
      // The instance does not read the peering's outputs, so it must wait for it explicitly (provider docs).
      { ...child, dependsOn: [peering], protect: args.protect },
    );

    // The proxy's identity: Cloud SQL client in the project, bound to its Kubernetes service account.
    const account = new gcp.serviceaccount.Account(`${name}-proxy`, { accountId: `${args.clusterName.slice(0, 19)}-sql-proxy`, displayName: `Cloud SQL proxy of ${args.clusterName}` }, child);
    const clientRole = new gcp.projects.IAMMember(`${name}-proxy-client`, { project: args.project, role: "roles/cloudsql.client", member: pulumi.interpolate`serviceAccount:${account.email}` }, child);
    const binding = workloadIdentityBinding(`${name}-proxy-workload-identity`, { account, project: args.project, namespace: args.namespace, serviceAccount: PROXY, cluster: args.cluster }, child);

    const k8sOpts = (...after: pulumi.Resource[]) => ({ parent: this, provider: args.k8sProvider, dependsOn: [...args.dependsOn, ...after] });
    const serviceAccount = new k8s.core.v1.ServiceAccount(
      `${name}-proxy-sa`,
      { metadata: objectMeta(PROXY, args.namespace, {}, { "iam.gke.io/gcp-service-account": account.email }) },
      k8sOpts(),
    );
    const health = (path: string) => ({ httpGet: { path, port: HEALTH_PORT }, periodSeconds: 10 });
    const proxy = kfpDeployment(
      `${name}-proxy`,
      args.namespace,
      {
        name: PROXY,
        select: { app: PROXY },
        replicas: 2,
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        pod: { serviceAccountName: PROXY, securityContext: RUNTIME_DEFAULT_SECCOMP },
        container: {
          name: PROXY,
          image: args.images.ref("cloudSqlProxy"),
          imagePullPolicy: "IfNotPresent",
          args: [
            "--private-ip",
            "--address=0.0.0.0",
            `--port=${MYSQL_PORT}`,
            "--structured-logs",
            "--health-check",
            // The health server listens on localhost unless told otherwise; kubelet probes come from the node.
            "--http-address=0.0.0.0",
            `--http-port=${HEALTH_PORT}`,
            this.instance.connectionName,
          ],
          ports: [{ name: "mysql", containerPort: MYSQL_PORT }],
          startupProbe: { ...health("/startup"), failureThreshold: 30 },
          livenessProbe: health("/liveness"),
          readinessProbe: health("/readiness"),
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true, runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 },
        },
      },
      k8sOpts(serviceAccount, clientRole, binding, this.instance),
    );
    const service = kfpService(`${name}-service`, args.namespace, SERVICE, { app: PROXY }, [{ name: "mysql", port: MYSQL_PORT }], k8sOpts(proxy));

    this.database = kfpLogin(
      name,
      {
        namespace: args.namespace,
        provider: args.k8sProvider,
        images: args.images,
        host: SERVICE,
        bootstrapHost: `${SERVICE}.${args.namespace}.svc`,
        port: MYSQL_PORT,
        admin: { username: "root", password: rootPassword },
        dependsOn: args.dependsOn,
        serverReady: [proxy, service],
        alsoReady: [service],
      },
      this,
    );
    this.registerOutputs({ instance: this.instance.name, connectionName: this.instance.connectionName });
  }
}
