// NetworkPolicies that make the gateway the only way in (multi-user): the API server's pods admit only
// the gateway and the UI (and Prometheus on the metrics port), the UI and oauth2-proxy only the gateway,
// and in-cluster MySQL only the components that use it. NetworkPolicy works at L4: it keeps team pods
// from dialling the API's pods directly, so every team request passes nginx, which strips the header.
// A CNI that enforces NetworkPolicy is required (docs/multi-user.md).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseClient } from "../../foundation/database-clients";
import { kitMeta } from "../../k8s/metadata";
import { DB_INDEXES_CLIENT } from "../db-indexes";
import { GATEWAY, OAUTH2_PROXY } from "./gateway";
import { API_PORTS } from "./mode";

type Policy = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

const pods = (labels: Record<string, string>): Peer => ({ podSelector: { matchLabels: labels } });
const namespace = (name: string, labels?: Record<string, string>): Peer => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  ...(labels ? { podSelector: { matchLabels: labels } } : {}),
});
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

const MYSQL_PORT = 3306;
const UI_PORT = 3000;
const OAUTH2_PORT = 4180;

/** KFP's own database clients: the API server, the cache server, ML Metadata, Argo (offload and archive), the kit's index Job. */
const KFP_DATABASE_CLIENTS: readonly DatabaseClient[] = [
  { name: "API server", podLabels: { app: "ml-pipeline" } },
  { name: "cache server", podLabels: { app: "cache-server" } },
  { name: "ML Metadata", podLabels: { component: "metadata-grpc-server" } },
  { name: "Argo controller", podLabels: { app: "workflow-controller" } },
  DB_INDEXES_CLIENT,
];

/** A client as a peer: its pods in its namespace (the platform namespace when it names none). */
const clientPeer = (client: DatabaseClient): Peer =>
  client.namespace ? namespace(client.namespace, client.podLabels as Record<string, string> | undefined) : pods({ ...client.podLabels });

/** The platform namespace's policies, by name. */
export function platformPolicies(args: {
  namespace: string;
  monitoringNamespace?: string;
  inClusterMysql: boolean;
  /** Clients other parts declared (backups, the bootstrap, monitoring), in the order they are admitted. */
  databaseClients: readonly DatabaseClient[];
}): Record<string, Policy> {
  const gateway = pods({ app: GATEWAY });
  const policies: Record<string, Policy> = {
    "kfp-api-server": {
      podSelector: { matchLabels: { app: "ml-pipeline" } },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [gateway, pods({ app: "ml-pipeline-ui" })], ports: tcp(API_PORTS.http, API_PORTS.grpc) },
        ...(args.monitoringNamespace ? [{ from: [namespace(args.monitoringNamespace)], ports: tcp(API_PORTS.http) }] : []),
      ],
    },
    "kfp-ui": { podSelector: { matchLabels: { app: "ml-pipeline-ui" } }, policyTypes: ["Ingress"], ingress: [{ from: [gateway], ports: tcp(UI_PORT) }] },
    "kfp-oauth2-proxy": { podSelector: { matchLabels: { app: OAUTH2_PROXY } }, policyTypes: ["Ingress"], ingress: [{ from: [gateway], ports: tcp(OAUTH2_PORT) }] },
  };
  if (args.inClusterMysql) {
    policies["kfp-mysql"] = {
      podSelector: { matchLabels: { app: "mysql" } },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [...KFP_DATABASE_CLIENTS, ...args.databaseClients].map(clientPeer),
          ports: tcp(MYSQL_PORT),
        },
      ],
    };
  }
  return policies;
}

export function createPlatformPolicies(prefix: string, args: Parameters<typeof platformPolicies>[0], opts: pulumi.CustomResourceOptions): void {
  for (const [name, spec] of Object.entries(platformPolicies(args))) {
    new k8s.networking.v1.NetworkPolicy(`${prefix}-${name}`, { metadata: kitMeta(name, args.namespace), spec }, opts);
  }
}
