// The support calendar: every stack's plan prints the remaining support of each pin it uses, warns under
// the threshold, and policy pins-supported fails a pin past its end unless the environment allows it,
// with a reason, until a date. "Today" is fixed here; the plan itself uses the real date.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { checkPolicies } from "../engine/policy";
import { PolicyConfigError } from "../engine/policy-config";
import { listStacks } from "../engine/stack-file";
import { formatSummary, planPinsInUse } from "../engine/summary";
import { endDate, pinsInUse, SUPPORT_WARN_DAYS, supportState, type PinInUse } from "../modules/facts/support";
import * as versions from "../modules/versions";
import { cloudSqlMysql, eks, type Support } from "../modules/versions";
import { pinsSupportedPolicy } from "../policies/src/rules/pins-supported";
import { REPO_ROOT, tempRoot } from "./helpers";
import { stackViolations, type StackResourceSpec } from "./policies-helpers";

const TODAY = new Date("2026-12-07T12:00:00Z");
const days = (from: Date, n: number) => new Date(from.getTime() + n * 86_400_000);
const envConfig = (env: string) => JSON.parse(readFileSync(join(REPO_ROOT, "policies/config", `${env}.json`), "utf8"))["pins-supported"] ?? {};

/** The stack as the pack's AnalyzeStack sees it: every custom resource and the root stack with its outputs. */
function stackSpecs(plan: PlanResult): StackResourceSpec[] {
  return [
    { type: "pulumi:pulumi:Stack", name: "root", props: plan.outputs as Record<string, unknown> },
    ...plan.resources.filter((r) => r.custom).map((r, i) => ({ type: r.type, name: `${r.name}#${i}`, props: r.inputs as Record<string, unknown> })),
  ];
}

/** Every Support object in the versions table, with where it is. */
function supportsIn(value: unknown, path: string, out: [string, Support][] = []): [string, Support][] {
  if (!value || typeof value !== "object") return out;
  if ("phase" in value && "source" in value && "ends" in value) out.push([path, value as Support]);
  else for (const [k, v] of Object.entries(value)) supportsIn(v, `${path}.${k}`, out);
  return out;
}

describe("support calendar", () => {
  const plans: Record<string, PlanResult> = {};
  before(async () => {
    for (const stack of listStacks(REPO_ROOT)) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
  });

  it("every stack's plan prints one support line per pin its resources use, and only those", () => {
    assert.ok(Object.keys(plans).length >= 6);
    for (const [stack, plan] of Object.entries(plans)) {
      assert.ok(plan.ok, `${stack}: ${plan.problems.join("\n")}`);
      const summary = formatSummary(plan, { today: TODAY });
      const section = summary.split("\n").slice(summary.split("\n").findIndex((l) => l.startsWith("  support on 2026-12-07")));
      assert.ok(section.length > 1, `${stack}: no support section`);
      const pins = planPinsInUse(plan);
      const end = section.slice(1).findIndex((l) => !l.startsWith("    "));
      const supportLines = section.slice(1, end + 1);
      assert.equal(supportLines.length, pins.length, `${stack}: one line per pin in use\n${supportLines.join("\n")}`);
      for (const pin of pins) assert.ok(supportLines.some((l) => l.includes(`${pin.pin} ${pin.version}, `)), `${stack}: no line for ${pin.pin}`);
      const names = pins.map((p) => p.pin);
      // What the stack uses decides the lines: the cloud's pins on its own target only.
      const target = stack.startsWith("aws") ? "aws" : stack.startsWith("gcp") ? "gcp" : "existing";
      assert.equal(names.includes("eks.kubernetesVersion"), target === "aws", stack);
      assert.equal(names.includes("eks.amiRelease"), target === "aws", stack);
      assert.equal(names.includes("gke.version"), target === "gcp", stack);
      const has = (type: string) => plan.resources.some((r) => r.type === type);
      assert.equal(names.includes("rdsMysql.engineVersion"), has("aws:rds/instance:Instance"), stack);
      assert.equal(names.includes("cloudSqlMysql.databaseVersion"), has("gcp:sql/databaseInstance:DatabaseInstance"), stack);
      assert.equal(names.includes("charts.gpuOperator"), plan.resources.some((r) => (r.inputs as { chart?: string }).chart === "gpu-operator"), stack);
      assert.equal(names.includes("images.minio"), target === "existing", stack);
      for (const always of ["releases.kfp", "releases.argo"]) assert.ok(names.includes(always), `${stack}: ${always}`);
    }
  });

  it("warns under the threshold and names the source, not before", () => {
    const plan = plans["aws-prod"];
    const end = endDate(eks.support.ends!);
    const near = formatSummary(plan, { today: days(end, -(SUPPORT_WARN_DAYS - 1)) });
    assert.match(near, new RegExp(`warning: eks\\.kubernetesVersion ${eks.kubernetesVersion}, EKS Kubernetes: standard support ends ${eks.support.ends}, ${SUPPORT_WARN_DAYS - 1} days left`));
    assert.ok(near.includes(eks.support.source));
    const far = formatSummary(plan, { today: days(end, -(SUPPORT_WARN_DAYS + 1)) });
    assert.doesNotMatch(far, /warning: eks\.kubernetesVersion/);
    assert.match(far, new RegExp(`eks\\.kubernetesVersion ${eks.kubernetesVersion}, EKS Kubernetes: standard support until ${eks.support.ends}, ${SUPPORT_WARN_DAYS + 1} days left`));
  });

  it("prod fails a pin whose end moves into the past, naming the pin, the date and its source", async () => {
    const specs = stackSpecs(plans["aws-prod"]);
    const prod = envConfig("prod");
    const today = () => TODAY;
    assert.deepEqual(await stackViolations(pinsSupportedPolicy({ today }), specs, prod), []);
    const moved: Support = { ...eks.support, ends: "2026-12-01" };
    const pins = (...args: Parameters<typeof pinsInUse>): PinInUse[] => pinsInUse(...args).map((p) => (p.pin === "eks.kubernetesVersion" ? { ...p, support: moved } : p));
    const reported = await stackViolations(pinsSupportedPolicy({ today, pins }), specs, prod);
    assert.equal(reported.length, 1, JSON.stringify(reported));
    const [{ message }] = reported;
    assert.match(message, /^\[pins-supported\] EKS Kubernetes 1\.35: eks\.kubernetesVersion 1\.35 left standard support on 2026-12-01 /);
    assert.ok(message.includes(eks.support.source), message);
    assert.ok(message.includes(`read ${eks.support.read}`), message);
    assert.match(message, /Fix: move eks\.kubernetesVersion in modules\/versions\.ts .* "allow": \[\{ "pin": "eks\.kubernetesVersion", "version": "1\.35"/);
  });

  it("a pin past its end passes only while the environment's allowance lasts", async () => {
    assert.equal(supportState(planPinsInUse(plans["gcp-prod"]).find((p) => p.pin === "cloudSqlMysql.databaseVersion")!, TODAY).state, "ended");
    const specs = stackSpecs(plans["gcp-prod"]);
    const prod = envConfig("prod");
    const allowance = prod.allow.find((a: { pin: string }) => a.pin === "cloudSqlMysql.databaseVersion");
    assert.ok(allowance.reason.length > 10);
    const on = (d: Date) => pinsSupportedPolicy({ today: () => d });
    assert.deepEqual(await stackViolations(on(TODAY), specs, prod), []);
    const expired = await stackViolations(on(days(endDate(allowance.until), 1)), specs, prod);
    assert.equal(expired.length, 1);
    assert.match(expired[0].message, new RegExp(`cloudSqlMysql\\.databaseVersion ${cloudSqlMysql.databaseVersion} left standard support on ${cloudSqlMysql.support.ends} .*its allowance .* ended on ${allowance.until}`));
    // Staging allows nothing: the same stack fails there today.
    const staging = await stackViolations(on(TODAY), specs, envConfig("staging"));
    assert.equal(staging.length, 1);
    // The plan names the allowance beside the warning, and says when it has run out.
    assert.match(formatSummary(plans["gcp-prod"], { today: TODAY }), new RegExp(`warning: cloudSqlMysql\\.databaseVersion ${cloudSqlMysql.databaseVersion}, .* ended ${cloudSqlMysql.support.ends}, .*policies/config/prod\\.json allows it until ${allowance.until}: `));
    assert.match(formatSummary(plans["gcp-prod"], { today: days(endDate(allowance.until), 1) }), new RegExp(`prod\\.json does not allow it any more \\(its allowance ended ${allowance.until}\\)`));
  });

  it("the plan fails a stack whose environment does not allow a pin past its end", async () => {
    const plan = await planStack("gcp-prod", { root: REPO_ROOT, outDir: null, policyConfig: "staging" });
    assert.equal(plan.ok, false);
    const problem = plan.problems.find((p) => p.startsWith("policy pins-supported:"));
    assert.ok(problem, plan.problems.join("\n"));
    assert.ok(problem.includes(`cloudSqlMysql.databaseVersion ${cloudSqlMysql.databaseVersion}`) && problem.includes(cloudSqlMysql.support.source), problem);
  });

  describe("a malformed allowance is refused with the file and the key", () => {
    let dir: string;
    before(() => (dir = tempRoot({})));
    after(() => undefined);
    it("names the missing key", async () => {
      const file = join(dir, "bad.json");
      writeFileSync(file, JSON.stringify({ all: "mandatory", "pins-supported": { allow: [{ pin: "eks.kubernetesVersion", version: "1.35", reason: "because we must" }] } }));
      const plan = plans["aws-prod"];
      await assert.rejects(
        checkPolicies({ stack: "aws-prod", resources: plan.resources, outputs: plan.outputs, stackConfig: {}, preview: false, config: file }),
        (e: Error) => e instanceof PolicyConfigError && /bad\.json: .*pins-supported.*until/.test(e.message),
      );
    });
  });

  it("every support entry in the table has a parseable end, a source and the day it was read", () => {
    const entries = supportsIn(versions, "versions");
    assert.ok(entries.length >= 10, `${entries.length} entries`);
    for (const [where, s] of entries) {
      if (s.ends !== null) assert.ok(!Number.isNaN(endDate(s.ends).getTime()), where);
      else assert.ok(s.policy, `${where}: an undated entry says what decides its end`);
      assert.match(s.source, /https:\/\//, where);
      assert.match(s.read, /^\d{4}-\d{2}-\d{2}$/, where);
      assert.ok(endDate(s.read) <= new Date(), `${where}: read in the future`);
    }
    assert.throws(() => endDate("March 2027"), /modules\/versions\.ts: support end "March 2027" is not YYYY-MM-DD or YYYY-MM/);
  });
});
