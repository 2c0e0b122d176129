// A team namespace's NetworkPolicies: deny everything, then allow what a team's work needs. In: the
// namespace itself, the platform (KFP's UI reaches viewer pods) and monitoring. Out: DNS, the namespace
// itself, the platform (KFP's API, ML Metadata, in-cluster MinIO), HTTPS anywhere (the object store, cloud
// APIs and the Kubernetes API, whose addresses a NetworkPolicy cannot name) and, when the team allows it,
// anything else.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { kitMeta } from "../k8s/metadata";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
const inNamespace = (name: string): Peer => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
const samePods: Peer = { podSelector: {} };
const anywhere: Peer = { ipBlock: { cidr: "0.0.0.0/0" } };

export interface TeamNetworkArgs {
  readonly namespace: string;
  readonly platformNamespace: string;
  /** Namespace of the monitoring stack, whose scrapers reach team pods; none when monitoring is off. */
  readonly monitoringNamespace?: string;
  readonly internet: boolean;
  readonly opts: pulumi.CustomResourceOptions;
}

export function teamNetworkPolicies(prefix: string, args: TeamNetworkArgs): k8s.networking.v1.NetworkPolicy[] {
  const policy = (name: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
    new k8s.networking.v1.NetworkPolicy(`${prefix}-${name}`, { metadata: kitMeta(name, args.namespace), spec }, args.opts);
  return [
    // Selects every pod and allows nothing: the policies below are the only ways in and out.
    policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
    policy("allow-ingress", {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [{ from: [samePods, inNamespace(args.platformNamespace), ...(args.monitoringNamespace ? [inNamespace(args.monitoringNamespace)] : [])] }],
    }),
    policy("allow-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
        },
        { to: [samePods, inNamespace(args.platformNamespace)] },
        args.internet ? { to: [anywhere] } : { to: [anywhere], ports: [{ protocol: "TCP", port: 443 }] },
      ],
    }),
  ];
}
