// The alert rules the plan renders, judged by Prometheus's own tool: `promtool check rules` on every
// stack's PrometheusRule, and `promtool test rules` with a firing and a silent case for every alert
// (test/alert-cases.ts), annotations included. Each alert's runbook section exists in docs/runbook.md.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { anchor, platformAlerts } from "../modules/monitoring/alerts";
import { ALERTS_RULE } from "../modules/monitoring";
import { KNOWN_METRICS, metricNames } from "../modules/monitoring/metrics";
import type { RuleGroup } from "../modules/monitoring/rules";
import { ALERT_CASES, inputCases, workflowObjectsCases, type AlertCase } from "./alert-cases";
import { workflowObjectsBound } from "../modules/config/sizing";
import { CONTROLLER_CONFIG } from "../modules/foundation/names";
import { findObject, REPO_ROOT } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";

const promtoolMissing = toolMissing("promtool", "prometheus");
const plans: Record<string, PlanResult> = {};
const dir = mkdtempSync(join(tmpdir(), "kfp-alerts-"));

before(async () => {
  for (const stack of ["local", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
});

/** The bound config/sizing.ts gives the plan's own cap (controller ConfigMap) and KFP's TTL (the agent's env). */
function workflowBoundOf(plan: PlanResult): number {
  const parallelism = Number((findObject(plan, "ConfigMap", CONTROLLER_CONFIG) as any).data.parallelism);
  const agent = findObject(plan, "Deployment", "ml-pipeline-persistenceagent") as any;
  const ttl = Number(agent.spec.template.spec.containers[0].env.find((e: any) => e.name === "TTL_SECONDS_AFTER_WORKFLOW_FINISH").value);
  return workflowObjectsBound(parallelism, ttl);
}
const groupsOf = (plan: PlanResult): RuleGroup[] => (findObject(plan, "PrometheusRule", ALERTS_RULE) as any).spec.groups;
const rulesOf = (plan: PlanResult) => groupsOf(plan).flatMap((g) => g.rules);

function promtool(args: string[]) {
  return spawnSync("promtool", args, { cwd: dir, encoding: "utf8", timeout: 60_000 });
}

/**
 * The annotation text Prometheus renders for the alert's labels and value, for the template forms the
 * rules use: {{ $labels.x }}, {{ $value }} and humanizePercentage (4 significant digits, as humanize).
 */
function rendered(template: string, labels: Record<string, string>, value?: number): string {
  return template
    .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, key) => labels[key] ?? "")
    .replace(/\{\{ \$value \| humanizePercentage \}\}/g, () => `${Number((value! * 100).toPrecision(4))}%`)
    .replace(/\{\{ \$value \}\}/g, () => String(value));
}

/** A promtool test file: one test group per case, so each case has only its own series. */
function testFile(rules: ReturnType<typeof rulesOf>, cases: [string, AlertCase][]): string {
  return stringify({
    rule_files: ["rules.yaml"],
    evaluation_interval: "1m",
    tests: cases.map(([alert, c]) => {
      const rule = rules.find((r) => r.alert === alert)!;
      const labels = { ...rule.labels, ...c.fires };
      return {
        name: `${alert}: ${c.name}`,
        interval: "1m",
        input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
        alert_rule_test: [
          {
            eval_time: `${c.at}m`,
            alertname: alert,
            exp_alerts: c.fires
              ? [{ exp_labels: labels, exp_annotations: Object.fromEntries(Object.entries(rule.annotations).map(([k, v]) => [k, rendered(v, labels, c.value)])) }]
              : [],
          },
        ],
      };
    }),
  });
}

describe("alert rules", { skip: skipWithout(promtoolMissing) }, () => {
  it("pass promtool check rules on every stack", () => {
    for (const [stack, plan] of Object.entries(plans)) {
      writeFileSync(join(dir, `${stack}.yaml`), stringify({ groups: groupsOf(plan) }));
      const r = promtool(["check", "rules", `${stack}.yaml`]);
      assert.equal(r.status, 0, `${stack}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout, new RegExp(`SUCCESS: ${rulesOf(plan).length} rules found`));
    }
  });

  // Which exporter each alert reads (every alert the kit has, GPU and MinIO ones included).
  const sources = new Map(
    platformAlerts({ platformNamespace: "kubeflow", parallelism: 500, workflowTtlSeconds: 3600, workflowWorkers: 32, gpuPools: [{ name: "a10g", driverVersion: "x" }], gpuPendingMinutes: 20, minio: true }).map((a) => [a.name, a.source]),
  );

  // aws-prod has the GPU alerts, local the MinIO one: together every alert.
  for (const stack of ["aws-prod", "local"]) {
    it(`each fire when they should, stay silent when they should not, and say something when their inputs are missing or their exporter is down (promtool test rules, ${stack})`, () => {
      const rules = rulesOf(plans[stack]);
      if (stack === "aws-prod") {
        const a10g = (plans["aws-prod"].outputs.gpuPools as { name: string; driver: string }[]).find((p) => p.name === "a10g")!;
        assert.equal(a10g.driver, "580.159.03", "the driver cases use aws-prod's a10g pin");
      }
      const cases: [string, AlertCase][] = [];
      for (const rule of rules) {
        // ArgoWorkflowObjectsHigh's bound follows the stack's cap and KFP's TTL: the one config/sizing.ts computes.
        const own = rule.alert === "ArgoWorkflowObjectsHigh" ? workflowObjectsCases(workflowBoundOf(plans[stack])) : (ALERT_CASES[rule.alert] ?? []);
        if (rule.alert === "ArgoWorkflowObjectsHigh") assert.ok(rule.expr.endsWith(`> ${workflowBoundOf(plans[stack])}`), rule.expr);
        assert.ok(own.some((c) => c.fires) && own.some((c) => !c.fires), `${rule.alert} needs a firing and a silent case`);
        const source = sources.get(rule.alert);
        assert.ok(source, `${rule.alert} names the exporter it reads`);
        cases.push(...own.map((c): [string, AlertCase] => [rule.alert, c]));
        for (const extra of inputCases(rule.alert, source, rule.expr.startsWith("absent("))) {
          cases.push([rule.alert, extra.case]);
          if (extra.watcher && rules.some((r) => r.alert === extra.watcher![0])) cases.push(extra.watcher);
        }
      }
      writeFileSync(join(dir, "rules.yaml"), stringify({ groups: groupsOf(plans[stack]) }));
      writeFileSync(join(dir, "tests.yaml"), testFile(rules, cases));
      const r = promtool(["test", "rules", "tests.yaml"]);
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
      assert.match(r.stdout, /SUCCESS/);
    });
  }

  it("every exporter an alert reads is watched by an alert that fires when it is gone", () => {
    const watched = new Set(["argo-workflow-controller", "kfp-api-server", "mysqld-exporter", "kube-state-metrics", "minio", "dcgm-exporter"]);
    for (const [alert, source] of sources) assert.ok(watched.has(source), `${alert} reads ${source}, which nothing watches`);
  });

  it("catches a wrong expectation (the unit tests can fail)", () => {
    const rules = rulesOf(plans["aws-prod"]);
    const silent = ALERT_CASES.MysqlDown.find((c) => !c.fires)!;
    writeFileSync(join(dir, "wrong.yaml"), testFile(rules, [["MysqlDown", { ...silent, fires: {} }]]));
    const r = promtool(["test", "rules", "wrong.yaml"]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /MysqlDown/);
  });
});

describe("alert sources", () => {
  it("name only metrics the pinned exporters emit", () => {
    for (const rule of rulesOf(plans["aws-prod"])) {
      const unknown = metricNames(rule.expr).filter((m) => !KNOWN_METRICS.has(m));
      assert.deepEqual(unknown, [], `${rule.alert}: ${rule.expr}`);
    }
  });

  it("each link to a section of docs/runbook.md that names its first commands", () => {
    const runbook = readFileSync(join(REPO_ROOT, "docs/runbook.md"), "utf8");
    const sections = new Map(runbook.split(/^## /m).slice(1).map((s) => [anchor(s.split("\n")[0]), s]));
    for (const rule of rulesOf(plans["aws-prod"])) {
      const [, section] = rule.annotations.runbook.split("#");
      assert.ok(sections.has(section), `docs/runbook.md has no section #${section} for ${rule.alert}`);
      assert.match(sections.get(section)!, /```/, `${rule.alert}'s section shows the commands to run`);
    }
  });

  it("leave GPU alerts out of a stack without GPU pools", () => {
    assert.deepEqual(rulesOf(plans.local).filter((r) => r.alert.startsWith("Gpu")), []);
    assert.ok(rulesOf(plans["aws-prod"]).some((r) => r.alert === "GpuDriverNotPinned"));
  });
});
