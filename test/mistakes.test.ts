// The corpus of mistakes (issue #25): test/fixtures/mistakes/<stack>/<case>.yaml, each one edit a user
// makes to a repository stack file, planned exactly as `npm run plan -- <stack>` plans it (planStack with
// the stack's own policy config), and each with the exact first line the plan must refuse it with. A case
// that plans green, crashes, or is refused with another first line fails. MISTAKES_SHOW=1 prints every
// case's first line instead of asserting (to write a new case's `expect`).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { planStack } from "../engine/plan";
import { stackConfigJsonSchema } from "../modules/config/parse";
import { ConfigError } from "../modules/config";
import { unexpected } from "../modules/config/errors";
import { REPO_ROOT, tempRoot } from "./helpers";

const CORPUS = join(REPO_ROOT, "test/fixtures/mistakes");

/**
 * One case. `set` and `delete` address the stack file's `config:` by key and path
 * (`kfp-platform:cluster.network.availabilityZones[1]`); `replace` then edits the file's text
 * (for mistakes outside `config:`, such as a misspelt `config:` itself).
 */
interface MistakeCase {
  expect: string;
  set?: Record<string, unknown>;
  delete?: string[];
  replace?: [string, string][];
}

/** `kfp-platform:cluster.network.zones[1]` -> ["kfp-platform:cluster", "network", "zones", 1]. */
function pathOf(key: string): (string | number)[] {
  const colon = key.indexOf(":");
  const end = key.slice(colon).search(/[.[]/);
  const top = end < 0 ? key : key.slice(0, colon + end);
  const rest = end < 0 ? "" : key.slice(colon + end).replace(/^\./, "");
  const segments: (string | number)[] = [top];
  for (const part of rest.split(".").filter(Boolean)) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    assert.ok(m, `bad path segment ${part} in ${key}`);
    if (m[1]) segments.push(m[1]);
    for (const index of m[2].matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

function edit(config: Record<string, unknown>, key: string, change: { value: unknown } | "delete"): void {
  const path = pathOf(key);
  let node: any = config;
  for (const segment of path.slice(0, -1)) {
    node[segment] ??= {};
    node = node[segment];
  }
  const last = path[path.length - 1];
  if (change === "delete") {
    assert.ok(last in node, `${key} is not in the stack file`);
    if (Array.isArray(node) && typeof last === "number") node.splice(last, 1);
    else delete node[last];
  } else node[last] = change.value;
}

/** The stack file text with the case's edits applied. */
export function mistakenStackFile(stack: string, mistake: MistakeCase): string {
  const doc = parse(readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
  for (const key of mistake.delete ?? []) edit(doc.config, key, "delete");
  for (const [key, value] of Object.entries(mistake.set ?? {})) edit(doc.config, key, { value });
  let text = stringify(doc, { lineWidth: 0 });
  for (const [from, to] of mistake.replace ?? []) {
    assert.ok(text.includes(from), `replace: ${JSON.stringify(from)} is not in the stack file`);
    text = text.replace(from, to);
  }
  return text;
}

export function corpus(): { stack: string; name: string; mistake: MistakeCase }[] {
  return readdirSync(CORPUS)
    .sort()
    .flatMap((stack) =>
      readdirSync(join(CORPUS, stack))
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({ stack, name: f.replace(/\.yaml$/, ""), mistake: parse(readFileSync(join(CORPUS, stack, f), "utf8")) as MistakeCase })),
    );
}

const SHOW = process.env.MISTAKES_SHOW === "1";

describe("the corpus of mistakes: each refused with its exact first line", () => {
  const cases = corpus();

  it("holds at least 60 cases across every repository stack", () => {
    assert.ok(cases.length >= 60, `${cases.length} cases`);
    const stacks = readdirSync(join(REPO_ROOT, "stacks")).map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1]).filter(Boolean);
    for (const stack of stacks) assert.ok(cases.some((c) => c.stack === stack), `no case for stack ${stack}`);
    for (const c of cases) assert.ok(stacks.includes(c.stack), `${c.stack}/${c.name}: no stack file stacks/Pulumi.${c.stack}.yaml`);
  });

  for (const { stack, name, mistake } of cases) {
    it(`${stack}/${name}`, async () => {
      const root = tempRoot({ [stack]: mistakenStackFile(stack, mistake) });
      const plan = await planStack(stack, { root, outDir: null });
      if (SHOW) {
        console.log(`${stack}/${name}: ${plan.ok ? "PLANNED GREEN" : plan.problems[0]}`);
        return;
      }
      assert.equal(plan.ok, false, `planned green: ${stack}/${name}`);
      assert.equal(plan.problems[0], mistake.expect);
    });
  }
});

describe("no input crashes the plan", () => {
  // Every top-level key of the local stack set to values of the wrong shape: each plans to one line naming
  // the stack file and that key (or plans green where the value happens to be valid, as teams: []).
  const NASTY: unknown[] = [null, [], 1e308, "X!", [{ deep: [null] }]];
  const keys = Object.keys(stackConfigJsonSchema().properties ?? {});

  it("knows the schema's keys", () => assert.ok(keys.length > 10, keys.join(", ")));

  it("turns an error the kit did not expect into one line naming the keys it was reading", () => {
    const error = new ConfigError("stacks/Pulumi.local.yaml", [unexpected(["teams", "platformAdmins"], new TypeError("Cannot read properties of undefined (reading 'map')\n    at build"))]);
    assert.equal(
      error.message,
      "stacks/Pulumi.local.yaml: kfp-platform:teams, kfp-platform:platformAdmins: the kit failed while building from this value (Cannot read properties of undefined (reading 'map')); the config schema should have refused it with a reason: check the value against docs/config.md, and report this line as a kit bug",
    );
  });

  for (const key of keys) {
    it(`kfp-platform:${key}`, async () => {
      for (const value of NASTY) {
        const root = tempRoot({ local: mistakenStackFile("local", { expect: "", set: { [`kfp-platform:${key}`]: value } }) });
        const plan = await planStack("local", { root, outDir: null, policyConfig: false });
        if (plan.ok) continue;
        assert.ok(plan.problems[0].startsWith(`stacks/Pulumi.local.yaml: kfp-platform:${key}`), `${key} = ${JSON.stringify(value)}: ${plan.problems[0]}`);
      }
    });
  }
});
