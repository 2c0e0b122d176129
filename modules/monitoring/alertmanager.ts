// Alertmanager's configuration from the stack file: receivers by kind, a route per severity, the Watchdog
// to a dead man's switch, and the chart's inhibition (a critical alert mutes the warning of the same name).
// Credentials come in as a Pulumi secret and the whole file goes into a Secret the operator mounts
// (kube-prometheus-stack 88.5.3: alertmanager.alertmanagerSpec.useExistingSecret skips the chart's own
// Secret, templates/alertmanager/secret.yaml; configSecret names ours, templates/alertmanager/alertmanager.yaml),
// never into Helm values or a ConfigMap. Fields are Alertmanager's (config/notifiers.go), inline rather than
// *_file so the file is the same for the pinned v0.34.0 and older amtool builds that check it.
import type { MonitoringSettings } from "../config/monitoring";

type Alerting = MonitoringSettings["alerting"];
type Receiver = Alerting["receivers"][string];

/** The receiver that drops what no route sends anywhere (the chart's default). */
export const NULL_RECEIVER = "null";

function receiverConfig(name: string, receiver: Receiver, credential: string): Record<string, unknown> {
  switch (receiver.kind) {
    case "slack":
      return { name, slack_configs: [{ api_url: credential, channel: receiver.channel, send_resolved: true, title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}', text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}" }] };
    case "pagerduty":
      return { name, pagerduty_configs: [{ routing_key: credential, send_resolved: true }] };
    case "email":
      return { name, email_configs: [{ to: receiver.to, from: receiver.from, smarthost: receiver.smarthost, auth_username: receiver.username, auth_password: credential, send_resolved: true }] };
    case "webhook":
      return { name, webhook_configs: [{ url: credential, send_resolved: true }] };
  }
}

/** alertmanager.yaml as an object; `credentials` maps each receiver to its secret (URL, key or password). */
export function alertmanagerConfig(alerting: Alerting, credentials: Readonly<Record<string, string>>): Record<string, unknown> {
  const severityRoutes = (["critical", "warning"] as const).flatMap((severity) =>
    alerting.routes[severity].map((receiver) => ({ receiver, matchers: [`severity = "${severity}"`], continue: true })),
  );
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: NULL_RECEIVER,
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        // The Watchdog always fires; a dead man's switch pages when it stops hearing it. Nothing else takes it.
        { receiver: alerting.watchdog ?? NULL_RECEIVER, matchers: ['alertname = "Watchdog"'], repeat_interval: "5m" },
        ...severityRoutes,
      ],
    },
    inhibit_rules: [{ source_matchers: ['severity = "critical"'], target_matchers: ['severity = "warning"'], equal: ["namespace", "alertname"] }],
    receivers: [{ name: NULL_RECEIVER }, ...Object.entries(alerting.receivers).map(([name, r]) => receiverConfig(name, r, credentials[name] ?? ""))],
  };
}
