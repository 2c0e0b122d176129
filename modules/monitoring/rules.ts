// Alerts (alerts.ts) as Prometheus rule groups: the body of the PrometheusRule the plan renders and,
// unchanged, the rule file promtool checks and unit-tests.
import { anchor, type Alert } from "./alerts";

export const RUNBOOK_PATH = "docs/runbook.md";

export interface RuleGroup {
  name: string;
  rules: { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** Where an alert's runbook section is: the repository path, and a URL when the stack names where the docs are served. */
export function runbookAnnotations(alert: Alert, runbookBaseUrl?: string): Record<string, string> {
  const section = anchor(alert.runbook);
  return { runbook: `${RUNBOOK_PATH}#${section}`, ...(runbookBaseUrl ? { runbook_url: `${runbookBaseUrl.replace(/\/+$/, "")}#${section}` } : {}) };
}

export function ruleGroups(alerts: readonly Alert[], runbookBaseUrl?: string): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const alert of alerts) {
    const name = `kfp-platform.${alert.group}`;
    if (!groups.has(name)) groups.set(name, { name, rules: [] });
    groups.get(name)!.rules.push({
      alert: alert.name,
      expr: alert.expr,
      for: alert.for,
      labels: { severity: alert.severity, platform: "kfp-platform" },
      annotations: { summary: alert.summary, ...runbookAnnotations(alert, runbookBaseUrl) },
    });
  }
  return [...groups.values()];
}
