// mysqld_exporter for KFP's database, whatever runs it (in-cluster MySQL, RDS): it logs in as the
// bootstrap's metrics user (server status only, no data) and serves mysql_up and the server's status.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseMonitorLogin } from "../foundation/contract";
import type { ContainerResources } from "../k8s/workload";
import type { ImageResolver } from "../images";
import { fromSecret } from "../k8s/env";
import { kitMeta } from "../k8s/metadata";
import { RUNTIME_DEFAULT_SECCOMP } from "../k8s/workload";
import { JOBS } from "./alerts";
import type { DatabaseClient } from "../foundation/database-clients";
import { SYSTEM_POOL_TOLERATIONS } from "../k8s/placement";

const PORT = 9104;

/** The exporter's pods in the monitoring namespace. */
export const mysqldExporterDatabaseClient = (monitoringNamespace: string): DatabaseClient => ({
  name: "mysqld_exporter",
  namespace: monitoringNamespace,
  podLabels: { "app.kubernetes.io/name": JOBS.mysqldExporter },
});

export function mysqldExporter(
  resourceName: string,
  args: { namespace: string; login: DatabaseMonitorLogin; images: ImageResolver; resources: ContainerResources; dependsOn: pulumi.Resource[] },
  opts: { parent: pulumi.Resource; provider: k8s.Provider },
) {
  const name = JOBS.mysqldExporter;
  const labels = { "app.kubernetes.io/name": name };
  const secret = new k8s.core.v1.Secret(
    `${resourceName}-credentials`,
    { metadata: kitMeta(name, args.namespace), type: "Opaque", stringData: { password: args.login.password } },
    { ...opts, dependsOn: args.dependsOn },
  );
  const deployment = new k8s.apps.v1.Deployment(
    resourceName,
    {
      metadata: kitMeta(name, args.namespace, labels),
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            tolerations: SYSTEM_POOL_TOLERATIONS,
            // The image's USER is `nobody` by name; runAsNonRoot needs a number (65534 is nobody in its busybox base).
            securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, ...RUNTIME_DEFAULT_SECCOMP },
            containers: [
              {
                name,
                image: args.images.ref("mysqldExporter"),
                imagePullPolicy: "IfNotPresent",
                // Flags and env of mysqld_exporter >= 0.15 (mysqld_exporter.go); at most 2 connections, the user allows 3.
                args: [
                  pulumi.interpolate`--mysqld.address=${args.login.host}:${args.login.port}`,
                  `--mysqld.username=${args.login.username}`,
                  `--web.listen-address=:${PORT}`,
                ],
                env: [fromSecret("MYSQLD_EXPORTER_PASSWORD", name, "password")],
                ports: [{ name: "metrics", containerPort: PORT }],
                readinessProbe: { httpGet: { path: "/", port: PORT }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/", port: PORT }, periodSeconds: 30, failureThreshold: 5 },
                resources: args.resources,
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true },
              },
            ],
          },
        },
      },
    },
    { ...opts, dependsOn: [...args.dependsOn, secret] },
  );
  return { deployment, secret };
}
