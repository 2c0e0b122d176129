// Dashboards as code: every panel query parses (promtool, as recording rules) and names only metrics
// the exporters emit; the plan provisions them as the Grafana sidecar expects; the pictures in docs/
// are what the code draws now.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { stackDashboards } from "../modules/monitoring/dashboards";
import { GRID_COLUMNS, queriesOf } from "../modules/monitoring/dashboards/model";
import { dashboardPictures } from "../modules/monitoring/dashboards/pictures";
import { KNOWN_METRICS, metricNames } from "../modules/monitoring/metrics";
import { REPO_ROOT } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";

const promtoolMissing = toolMissing("promtool", "prometheus");
const dashboards = stackDashboards("kubeflow", true);
const plans: Record<string, PlanResult> = {};

before(async () => {
  for (const stack of ["local", "aws-prod"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
});

describe("dashboards", () => {
  it("have queries that parse (promtool check rules, each query a recording rule)", { skip: skipWithout(promtoolMissing) }, () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-dashboards-"));
    const rules = dashboards.flatMap((d) => queriesOf(d).map((q, i) => ({ record: `dashboard:${d.uid.replace(/-/g, "_")}:${i}`, expr: q.expr })));
    writeFileSync(join(dir, "queries.yaml"), stringify({ groups: [{ name: "dashboards", rules }] }));
    const r = spawnSync("promtool", ["check", "rules", "queries.yaml"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`SUCCESS: ${rules.length} rules found`));
    // The check can fail: a query with a syntax error is refused.
    writeFileSync(join(dir, "broken.yaml"), stringify({ groups: [{ name: "d", rules: [{ record: "dashboard:broken", expr: "sum(rate(up[5m])" }] }] }));
    assert.notEqual(spawnSync("promtool", ["check", "rules", "broken.yaml"], { cwd: dir }).status, 0);
  });

  it("show 0%, not No data, for the success rate when every run failed and no Succeeded series exists", { skip: skipWithout(promtoolMissing) }, () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-dashboards-"));
    const stat = queriesOf(dashboards.find((d) => d.uid === "kfp-platform-overview")!).find((q) => q.panel.startsWith("Pipeline success rate"))!;
    const test = (series: Record<string, string>, value: number) => ({
      interval: "1m",
      input_series: Object.entries(series).map(([s, values]) => ({ series: s, values })),
      promql_expr_test: [{ expr: stat.expr, eval_time: "80m", exp_samples: [{ labels: "{}", value }] }],
    });
    const failed = 'argo_workflows_total_count{phase="Failed",job="argo-workflow-controller"}';
    const succeeded = 'argo_workflows_total_count{phase="Succeeded",job="argo-workflow-controller"}';
    writeFileSync(join(dir, "t.yaml"), stringify({ rule_files: [], evaluation_interval: "1m", tests: [test({ [failed]: "0+1x90" }, 0), test({ [failed]: "0+1x90", [succeeded]: "0+3x90" }, 0.75)] }));
    const r = spawnSync("promtool", ["test", "rules", "t.yaml"], { cwd: dir, encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("name only metrics the pinned exporters emit (modules/monitoring/metrics.ts)", () => {
    for (const d of dashboards) {
      for (const q of queriesOf(d)) assert.deepEqual(metricNames(q.expr).filter((m) => !KNOWN_METRICS.has(m)), [], `${d.uid} "${q.panel}": ${q.expr}`);
    }
    assert.deepEqual(metricNames("rate(argo_workflows_count[5m])").filter((m) => !KNOWN_METRICS.has(m)), ["argo_workflows_count"], "Argo 3.5's name is not known");
  });

  it("are provisioned as ConfigMaps the Grafana sidecar loads, the GPU one only with GPU pools", () => {
    const maps = (plan: PlanResult) =>
      plan.objects.map((o) => o.object as any).filter((o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard === "1");
    assert.deepEqual(maps(plans.local).map((m) => m.metadata.name), ["dashboard-kfp-platform-overview"]);
    assert.deepEqual(maps(plans["aws-prod"]).map((m) => m.metadata.name).sort(), ["dashboard-kfp-platform-gpus", "dashboard-kfp-platform-overview"]);
    for (const m of maps(plans["aws-prod"])) {
      assert.equal(m.metadata.namespace, "monitoring");
      const [file, text] = Object.entries(m.data as Record<string, string>)[0];
      const json = JSON.parse(text);
      assert.equal(file, `${json.uid}.json`);
      for (const p of json.panels) {
        assert.ok(p.gridPos.x + p.gridPos.w <= GRID_COLUMNS, `${json.uid} ${p.title}`);
        assert.ok(p.targets.length > 0 && p.targets.every((t: any) => t.expr && t.datasource.uid === "${datasource}"), `${json.uid} ${p.title}`);
      }
      assert.equal(json.templating.list[0].type, "datasource");
    }
  });

  it("have current pictures in docs/dashboards (run `npm run docs` after changing a dashboard)", () => {
    for (const [file, svg] of Object.entries(dashboardPictures())) {
      assert.equal(readFileSync(join(REPO_ROOT, file), "utf8"), svg, file);
      for (const d of dashboards.filter((x) => file.includes(x.uid))) for (const p of d.rows.flat()) assert.ok(svg.includes(`>${p.title.replace(/&/g, "&amp;")}<`), `${file} shows ${p.title}`);
    }
  });
});
