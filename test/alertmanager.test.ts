// Alerts reach a person: Alertmanager's configuration, rendered from each stack file, checked with
// Prometheus's own amtool (Debian's prometheus-alertmanager), its routes tested receiver by receiver, and
// its credentials kept secret (a Secret from a Pulumi secret, never Helm values).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { loadStackFile, listStacks } from "../engine/stack-file";
import { formatSummary } from "../engine/summary";
import { parseStackConfig } from "../modules/config/parse";
import { alertmanagerConfig } from "../modules/monitoring/alertmanager";
import { ALERTMANAGER_CONFIG_SECRET } from "../modules/monitoring";
import { configProblems, findObject, REPO_ROOT } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";

const amtoolMissing = toolMissing("amtool", "prometheus-alertmanager");
const dir = mkdtempSync(join(tmpdir(), "kfp-alertmanager-"));

/** Credentials shaped like the real ones, by receiver kind (amtool checks URLs). */
const FAKE: Record<string, string> = {
  slack: "https://hooks.slack.com/services/T000/B000/XXXX",
  pagerduty: "0123456789abcdef0123456789abcdef",
  email: "smtp-password",
  webhook: "https://heartbeat.example.com/ping/abc",
};

function renderedFor(stack: string): string {
  const file = loadStackFile(REPO_ROOT, stack);
  const config = parseStackConfig(file.config, file.file, file.secretKeys);
  const receivers = config.monitoring.alerting.receivers;
  const credentials = Object.fromEntries(Object.entries(receivers).map(([name, r]) => [name, FAKE[r.kind]]));
  const path = join(dir, `${stack}.yaml`);
  writeFileSync(path, stringify(alertmanagerConfig(config.monitoring.alerting, credentials)));
  return path;
}

const amtool = (args: string[]) => spawnSync("amtool", args, { encoding: "utf8", timeout: 30_000 });

describe("Alertmanager configuration (amtool)", { skip: skipWithout(amtoolMissing) }, () => {
  for (const stack of listStacks(REPO_ROOT)) {
    it(`passes amtool check-config for ${stack}`, () => {
      const r = amtool(["check-config", renderedFor(stack)]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /SUCCESS/);
    });
  }

  it("routes aws-prod's alerts by severity, the Watchdog to the dead man's switch, and nothing else anywhere", () => {
    const file = renderedFor("aws-prod");
    const route = (...labels: string[]) => {
      const r = amtool(["config", "routes", "test", `--config.file=${file}`, ...labels]);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(route("alertname=KfpApiServerDown", "severity=critical"), "oncall,platform-chat");
    assert.equal(route("alertname=PodOOMKilled", "severity=warning"), "platform-chat");
    assert.equal(route("alertname=Watchdog", "severity=none"), "heartbeat");
    assert.equal(route("alertname=InfoInhibitor", "severity=info"), "null");
  });

  it("amtool refuses a broken configuration (the check can fail)", () => {
    const path = join(dir, "broken.yaml");
    writeFileSync(path, stringify({ route: { receiver: "missing" }, receivers: [{ name: "null" }] }));
    assert.notEqual(amtool(["check-config", path]).status, 0);
  });
});

describe("alert receivers in the plan", () => {
  let prod: PlanResult;
  let local: PlanResult;
  before(async () => {
    prod = await planStack("aws-prod", { root: REPO_ROOT, outDir: null, policyConfig: false });
    local = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
  });

  it("keeps credentials in a Secret from a Pulumi secret, and out of the Helm values", () => {
    const secret = findObject(prod, "Secret", ALERTMANAGER_CONFIG_SECRET) as any;
    assert.equal(secret.stringData["alertmanager.yaml"], "[secret]");
    const release = prod.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "kube-prometheus-stack")!;
    const spec = (release.inputs as any).values.alertmanager.alertmanagerSpec;
    assert.deepEqual([spec.useExistingSecret, spec.configSecret], [true, ALERTMANAGER_CONFIG_SECRET]);
    assert.equal((release.inputs as any).values.alertmanager.config, undefined, "no configuration in the values");
    assert.ok(release.dependsOn.some((u) => u.endsWith(`::monitoring-alertmanager-config`)));
  });

  it("says where alerts go, and warns when a stack names no receivers", () => {
    assert.match(formatSummary(prod), /alerts: to oncall, platform-chat, heartbeat/);
    assert.match(formatSummary(local), /warning: alerts go nowhere: the stack names no receivers/);
  });

  it("refuses a route to an unknown receiver, a receiver without its credential, and a credential of no receiver", () => {
    const FILE = "stacks/Pulumi.x.yaml";
    const alerting = (a: Record<string, unknown>, secrets?: Record<string, unknown>) =>
      configProblems({ cluster: { target: "existing" }, monitoring: { alerting: a }, ...(secrets ? { alertReceiverSecrets: secrets } : {}) }, FILE);
    assert.match(alerting({ receivers: { chat: { kind: "slack", channel: "#a" } }, routes: { critical: ["pager"] } }, { chat: { secure: "x" } })[0], /monitoring\.alerting\.routes\.critical\[0\]: found "pager"; is no receiver; define it under monitoring\.alerting\.receivers \(defined: chat\)/);
    assert.match(alerting({ receivers: { chat: { kind: "slack", channel: "#a" } } })[0], /alertReceiverSecrets\.chat: required value is missing; receiver chat needs its credential: pulumi config set --secret --path 'kfp-platform:alertReceiverSecrets\.chat' <value>/);
    assert.match(alerting({}, { stale: { secure: "x" } })[0], /alertReceiverSecrets\.stale: .*is the credential of no receiver/);
    assert.match(alerting({ receivers: { chat: { kind: "slack", channel: "#a" } } }, { chat: "https://hooks.slack.com/services/T/B/X" } as any)[0], /kfp-platform:alertReceiverSecrets: is plain text in the stack file.*pulumi config set --secret/);
    assert.match(alerting({ receivers: { mail: { kind: "email", to: "ops", from: "a@b.c", smarthost: "smtp:25", username: "u" } } }, { mail: { secure: "x" } })[0], /receivers\.mail\.to: .*expected an e-mail address/);
  });
});
