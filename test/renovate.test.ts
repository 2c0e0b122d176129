// renovate.json: Renovate's own validator accepts it, and Renovate's own extraction (`--platform=local
// --dry-run=extract`, offline) finds every pin of modules/versions.ts exactly once. "Finds" is proved by
// moving: each extracted dependency's value is changed where Renovate would write it, the table is loaded
// again, and the pins that changed are the ones that dependency moves. Renovate and the Node 24 it needs
// come from .ci/tools (pinned, lockfile-backed; .ci/run installs them).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { before, describe, it } from "node:test";
import { REPO_ROOT } from "./helpers";
import { skipWithout } from "./system-tools";

const TOOLS = join(REPO_ROOT, ".ci/tools/node_modules");
const NODE = join(TOOLS, ".bin/node");
const RENOVATE = join(TOOLS, "renovate/dist");
const missing = existsSync(join(RENOVATE, "renovate.js")) && existsSync(NODE) ? undefined : "Renovate is not installed (npm ci --prefix .ci/tools --ignore-scripts; .ci/run does it)";
const VERSIONS = "modules/versions.ts";

interface Dep {
  depName: string;
  currentValue: string;
  datasource: string;
  replaceString: string;
}

/** Every pin of the versions table by its path, as the value the program uses. */
function pinValues(v: any): Map<string, string> {
  const pins = new Map<string, string>();
  for (const [name, pin] of Object.entries<any>(v.images)) pins.set(`images.${name}`, `${pin.repository}:${pin.tag}${pin.digest ? `@${pin.digest}` : ""}`);
  for (const [name, r] of Object.entries<any>(v.releases)) pins.set(`releases.${name}`, r.version);
  for (const [name, p] of Object.entries<any>(v.kfpSdk)) pins.set(`kfpSdk.${name}`, p.version);
  for (const [name, c] of Object.entries<any>(v.charts)) pins.set(`charts.${name}`, `${c.repository} ${c.chart} ${c.version}`);
  for (const [name, version] of Object.entries<any>(v.eks.addons)) pins.set(`eks.addons.${name}`, version);
  pins.set("eks.kubernetesVersion", v.eks.kubernetesVersion);
  pins.set("eks.amiRelease", v.eks.amiRelease.version);
  pins.set("gke.version", v.gke.version);
  pins.set("rdsMysql.engineVersion", `${v.rdsMysql.engineVersion} ${v.rdsMysql.parameterGroupFamily}`);
  pins.set("cloudSqlMysql.databaseVersion", v.cloudSqlMysql.databaseVersion);
  return pins;
}

/** Renovate's extraction of this repository, offline, from its debug log (JSON lines). */
function extract(): Record<string, { packageFile: string; deps: Dep[] }[]> {
  const r = spawnSync(NODE, [join(RENOVATE, "renovate.js")], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 300_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: "debug",
      LOG_FORMAT: "json",
      RENOVATE_PLATFORM: "local",
      RENOVATE_DRY_RUN: "extract",
      RENOVATE_ONBOARDING: "false",
      RENOVATE_REQUIRE_CONFIG: "optional",
      RENOVATE_BASE_DIR: mkdtempSync(join(tmpdir(), "renovate-")),
    },
  });
  const logs = `${r.stdout}\n${r.stderr}`.split("\n").flatMap((line) => {
    try {
      return [JSON.parse(line)];
    } catch {
      return [];
    }
  });
  const extracted = logs.find((l) => l.msg === "Extracted dependencies" && l.packageFiles);
  assert.ok(extracted, `renovate extracted nothing (exit ${r.status}):\n${logs.filter((l) => l.level >= 40).map((l) => l.msg).join("\n")}\n${r.stderr.slice(-2000)}`);
  return extracted.packageFiles;
}

describe("renovate.json", { skip: skipWithout(missing) }, () => {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "renovate.json"), "utf8"));
  let files: ReturnType<typeof extract>;
  let regexDeps: Dep[];
  before(() => {
    files = extract();
    regexDeps = (files.regex ?? []).filter((f) => f.packageFile === VERSIONS).flatMap((f) => f.deps);
  });

  it("passes Renovate's own validator (--strict)", () => {
    const r = spawnSync(NODE, [join(RENOVATE, "config-validator.js"), "--strict", "--no-global", "renovate.json"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /Config validated successfully/);
  });

  it("every pin in modules/versions.ts is moved by exactly one extracted dependency, and every dependency moves a pin", async () => {
    const text = readFileSync(join(REPO_ROOT, VERSIONS), "utf8");
    const base = pinValues(await import(pathToFileURL(join(REPO_ROOT, VERSIONS)).href));
    const movedBy = new Map<string, string[]>([...base.keys()].map((k) => [k, []]));
    const dir = mkdtempSync(join(tmpdir(), "versions-moved-"));
    for (const [i, dep] of regexDeps.entries()) {
      const at = text.indexOf(dep.replaceString);
      assert.ok(at >= 0 && text.indexOf(dep.replaceString, at + 1) < 0, `${dep.depName}: its match must occur exactly once in ${VERSIONS}: ${dep.replaceString}`);
      // Where Renovate writes the new value: the current value inside the matched text.
      const moved = dep.replaceString.replace(dep.currentValue, `${dep.currentValue}9`);
      assert.notEqual(moved, dep.replaceString, `${dep.depName}: current value ${dep.currentValue} not in its match`);
      const file = join(dir, `versions-${i}.ts`);
      writeFileSync(file, text.slice(0, at) + moved + text.slice(at + dep.replaceString.length));
      const after = pinValues(await import(pathToFileURL(file).href));
      const changed = [...base].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
      assert.ok(changed.length > 0, `${dep.depName} ${dep.currentValue} moves no pin`);
      for (const pin of changed) movedBy.get(pin)!.push(`${dep.depName} (${dep.datasource})`);
    }
    const wrong = [...movedBy].filter(([, deps]) => deps.length !== 1).map(([pin, deps]) => `${pin}: ${deps.length === 0 ? "no manager" : deps.join(", ")}`);
    assert.deepEqual(wrong, [], "every pin exactly once");
  });

  it("groups what moves together, holds KFP, and names only dependencies Renovate finds", () => {
    const names = new Set(regexDeps.map((d) => d.depName));
    const rules: { matchDepNames?: string[]; groupName?: string; dependencyDashboardApproval?: boolean; enabled?: boolean }[] = config.packageRules;
    for (const rule of rules) for (const name of rule.matchDepNames ?? []) assert.ok(names.has(name), `packageRules name ${name}, which no manager extracts`);
    const ruleOf = (depName: string) => rules.filter((r) => r.matchDepNames?.includes(depName));
    const groupOf = (depName: string) => ruleOf(depName).find((r) => r.groupName)?.groupName;
    const depOf = (pattern: RegExp) => regexDeps.find((d) => pattern.test(d.replaceString))!.depName;
    // KFP (its images' release, the SDK packages) and Argo: one group, waiting for approval.
    const kfp = depOf(/^kfp: \{\s*version: "2\.14\.0"/);
    const held = ruleOf(kfp).find((r) => r.dependencyDashboardApproval);
    assert.ok(held?.groupName, "KFP is held behind dashboard approval");
    for (const d of [depOf(/^argo: /), ...regexDeps.filter((d) => d.datasource === "pypi").map((d) => d.depName)]) assert.equal(groupOf(d), held.groupName, d);
    // A chart with its CRDs release; the GPU Operator's chart with its operand images.
    assert.equal(groupOf("prometheus-operator-crds"), groupOf("kube-prometheus-stack"));
    assert.ok(groupOf("kube-prometheus-stack"));
    for (const d of regexDeps.filter((d) => /^nvcr\.io\/nvidia\/(k8s|cloud-native)\//.test(d.depName))) assert.equal(groupOf(d.depName), groupOf("gpu-operator"), d.depName);
    // The EKS minor with its AMI and add-ons.
    for (const d of regexDeps.filter((d) => d.datasource === "aws-eks-addon" || d.depName === "awslabs/amazon-eks-ami")) assert.equal(groupOf(d.depName), groupOf("amazon-eks"), d.depName);
  });

  it("finds the workflows' actions by commit SHA and the npm pins", () => {
    const actions = (files["github-actions"] ?? []).flatMap((f) => f.deps) as (Dep & { currentDigest?: string })[];
    assert.ok(actions.length > 0);
    for (const a of actions.filter((a) => a.datasource === "github-tags")) assert.match(a.currentDigest ?? "", /^[0-9a-f]{40}$/, `${a.depName} pinned by SHA`);
    const npmFiles = (files.npm ?? []).map((f) => f.packageFile).sort();
    for (const f of ["package.json", "policies/package.json", ".ci/tools/package.json"]) assert.ok(npmFiles.includes(f), `${f} in ${npmFiles.join(", ")}`);
  });
});
