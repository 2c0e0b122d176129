// The cache webhook's certificate and registration, issued by Pulumi instead of upstream's cache
// deployer. Upstream signs through a kubernetes.io/kubelet-serving CSR at runtime, which EKS (and any
// cluster that only signs kubelet CSRs for nodes) never approves, so the cache never starts there.
// A CA and server certificate from the tls provider are deterministic, live in Pulumi state as secrets,
// need no cert-manager, and are renewed by `pulumi up` inside the early-renewal window.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { objectMeta } from "../k8s/metadata";
import type { ChildOptions } from "./options";

/** Secret the cache server mounts at /etc/webhook/certs; keys are the server's default flag values. */
export const WEBHOOK_TLS_SECRET = "webhook-server-tls";
const CA_HOURS = 10 * 365 * 24;
const SERVER_HOURS = 3 * 365 * 24;
/** Any `pulumi up` in the last year of a certificate's life renews it. */
const EARLY_RENEWAL_HOURS = 365 * 24;

export interface CacheWebhookArgs {
  readonly namespace: string;
  /** Name of the cache server's Service (upstream: cache-server). */
  readonly service: string;
  readonly opts: ChildOptions;
}

/** The CA and the server certificate, stored as the Secret the cache server mounts. */
export function createCacheWebhookCertificate(prefix: string, args: CacheWebhookArgs) {
  const { namespace, service, opts } = args;
  const tlsOpts = { parent: opts().parent };
  const dnsNames = [service, `${service}.${namespace}`, `${service}.${namespace}.svc`];

  const caKey = new tls.PrivateKey(`${prefix}-ca-key`, { algorithm: "RSA", rsaBits: 2048 }, tlsOpts);
  const ca = new tls.SelfSignedCert(
    `${prefix}-ca`,
    {
      privateKeyPem: caKey.privateKeyPem,
      subject: { commonName: `kfp-cache-webhook-ca.${namespace}` },
      isCaCertificate: true,
      validityPeriodHours: CA_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    },
    tlsOpts,
  );
  const serverKey = new tls.PrivateKey(`${prefix}-server-key`, { algorithm: "RSA", rsaBits: 2048 }, tlsOpts);
  const request = new tls.CertRequest(
    `${prefix}-server-csr`,
    { privateKeyPem: serverKey.privateKeyPem, subject: { commonName: dnsNames[2] }, dnsNames },
    tlsOpts,
  );
  const serverCert = new tls.LocallySignedCert(
    `${prefix}-server-cert`,
    {
      certRequestPem: request.certRequestPem,
      caPrivateKeyPem: caKey.privateKeyPem,
      caCertPem: ca.certPem,
      validityPeriodHours: SERVER_HOURS,
      earlyRenewalHours: EARLY_RENEWAL_HOURS,
      allowedUses: ["server_auth", "digital_signature", "key_encipherment"],
    },
    tlsOpts,
  );

  const secret = new k8s.core.v1.Secret(
    `${prefix}-tls`,
    {
      metadata: objectMeta(WEBHOOK_TLS_SECRET, namespace, { app: "cache-server" }),
      type: "Opaque",
      stringData: { "cert.pem": serverCert.certPem, "key.pem": pulumi.secret(serverKey.privateKeyPem) },
    },
    opts(),
  );
  return { secret, caCertPem: ca.certPem };
}

/**
 * Registers the webhook as upstream's deployer would (name cache-webhook-<ns>, webhook
 * cache-server.<ns>.svc), after `server` (the cache server's Deployment) so something answers it.
 */
export function registerCacheWebhook(
  prefix: string,
  args: CacheWebhookArgs & { caCertPem: pulumi.Output<string>; server: pulumi.Resource },
): k8s.admissionregistration.v1.MutatingWebhookConfiguration {
  const { namespace, service, opts } = args;
  return new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
    `${prefix}-configuration`,
    {
      metadata: objectMeta(`cache-webhook-${namespace}`, undefined, { app: "cache-server" }),
      webhooks: [
        {
          name: `${service}.${namespace}.svc`,
          clientConfig: {
            service: { name: service, namespace, path: "/mutate" },
            caBundle: args.caCertPem.apply((pem) => Buffer.from(pem).toString("base64")),
          },
          failurePolicy: "Ignore",
          rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
          objectSelector: { matchLabels: { "pipelines.kubeflow.org/cache_enabled": "true" } },
          sideEffects: "None",
          timeoutSeconds: 5,
          admissionReviewVersions: ["v1beta1"],
        },
      ],
    },
    opts(args.server),
  );
}
