// Monitoring settings of the one stack schema: kube-prometheus-stack's size and retention, and the
// thresholds alerts derive from. Profiles: `light` for laptops and dev clusters (one replica, two days
// in an emptyDir), `production` for prod (two replicas of Prometheus and Alertmanager, 15 days on a volume).
import { z } from "zod";
import { containerResources, storageQuantity } from "./quantities";
import type { ContainerResources } from "../k8s/workload";

const size = (cpu: string, memory: string, limit: string): ContainerResources => ({ requests: { cpu, memory }, limits: { memory: limit } });

/** The kit's sizing for each container the monitoring stack starts (the chart sets none). */
export const MONITORING_SIZES = {
  prometheus: size("200m", "1Gi", "4Gi"),
  alertmanager: size("10m", "64Mi", "256Mi"),
  operator: size("50m", "128Mi", "512Mi"),
  configReloader: size("10m", "32Mi", "64Mi"),
  grafana: size("50m", "256Mi", "512Mi"),
  grafanaSidecar: size("10m", "64Mi", "128Mi"),
  kubeStateMetrics: size("50m", "128Mi", "512Mi"),
  nodeExporter: size("20m", "32Mi", "128Mi"),
  webhookJobs: size("10m", "32Mi", "64Mi"),
  mysqldExporter: size("10m", "32Mi", "128Mi"),
} as const satisfies Record<string, ContainerResources>;

export const PROFILES = {
  light: { retention: "2d", storageSize: undefined, replicas: 1 },
  production: { retention: "15d", storageSize: "100Gi", replicas: 2 },
} as const;

const duration = z.string().regex(/^[0-9]+(h|d|w)$/, 'expected a Prometheus retention such as "15d"');

const receiverName = z.string().regex(/^[a-z][a-z0-9-]{0,40}$/, "expected a short name: lowercase letters, digits and '-'");
const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected an e-mail address");

/**
 * Where alerts go. Each receiver's credential (Slack or webhook URL, PagerDuty routing key, SMTP password)
 * is not here but in the secret config value kfp-platform:alertReceiverSecrets, keyed by receiver name.
 */
export const alertReceiver = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("slack").describe("A Slack incoming webhook (its URL is the credential)."), channel: z.string().regex(/^#?[a-z0-9][a-z0-9._-]*$/, 'expected a channel such as "#ml-platform-alerts"').describe("Channel the webhook posts to.") }),
  z.strictObject({ kind: z.literal("pagerduty").describe("A PagerDuty Events API v2 integration (its routing key is the credential).") }),
  z.strictObject({
    kind: z.literal("email").describe("E-mail through an SMTP relay (the credential is the SMTP password)."),
    to: email.describe("Recipient."),
    from: email.describe("Sender."),
    smarthost: z.string().regex(/^[a-z0-9.-]+:\d+$/, 'expected host:port such as "smtp.example.com:587"').describe("SMTP relay, host:port."),
    username: z.string().min(1).describe("SMTP login."),
  }),
  z.strictObject({ kind: z.literal("webhook").describe("Any HTTP endpoint taking Alertmanager's webhook payload (its URL is the credential), e.g. a dead man's switch.") }),
]);

export const alertingSettings = z
  .strictObject({
    receivers: z.record(receiverName, alertReceiver).default({}).describe("Receivers by name."),
    routes: z
      .strictObject({
        critical: z.array(receiverName).default([]).describe("Receivers of critical alerts (pages)."),
        warning: z.array(receiverName).default([]).describe("Receivers of warnings."),
      })
      .prefault({})
      .describe("Which receivers get each severity."),
    watchdog: receiverName
      .optional()
      .describe("Receiver of the always-firing Watchdog alert: a dead man's switch (e.g. a webhook to a heartbeat service) that pages when the heartbeats stop, i.e. when alerting itself is down."),
  })
  .prefault({})
  .describe("Alertmanager's receivers and routes; a stack without receivers plans with a warning (alerts go nowhere).");

export const monitoringSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Install Prometheus, Alertmanager and Grafana (kube-prometheus-stack) with the platform's monitors, alerts and dashboards."),
    namespace: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "expected a DNS label")
      .default("monitoring")
      .describe("Namespace of the monitoring stack (Pod Security privileged: node-exporter reads the host)."),
    profile: z
      .enum(["light", "production"])
      .optional()
      .describe("`light`: one replica, 2 days in an emptyDir; `production`: two replicas of Prometheus and Alertmanager, 15 days on a 100Gi volume. Default production in prod, light elsewhere."),
    retention: duration.optional().describe("How long Prometheus keeps samples; default from the profile."),
    storageSize: storageQuantity.optional().describe("Prometheus volume per replica; default from the profile (none in light: an emptyDir)."),
    replicas: z.number().int().min(1).max(5).optional().describe("Prometheus and Alertmanager replicas; default from the profile."),
    gpuPendingMinutes: z.number().int().min(1).max(240).default(20).describe("Minutes a pod that requests GPUs may stay Pending before GpuPodPendingTooLong fires."),
    alerting: alertingSettings,
    runbookBaseUrl: z.url().optional().describe("Where docs/runbook.md is served (e.g. its URL in your Git host); alerts then carry runbook_url links."),
    resources: z
      .strictObject(Object.fromEntries(Object.entries(MONITORING_SIZES).map(([name, sizes]) => [name, containerResources(sizes)])) as { [K in keyof typeof MONITORING_SIZES]: ReturnType<typeof containerResources> })
      .prefault({})
      .describe("Requests and limits of every container the monitoring stack starts."),
  })
  .prefault({});

export type MonitoringSettings = z.output<typeof monitoringSettings>;
