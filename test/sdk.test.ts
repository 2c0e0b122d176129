// The SDK constraints pipeline authors install from: the file in the repository is what the versions
// table generates, every package is on the backend's X.Y line (KFP's versioning policy from 2.14: same
// X.Y is API-compatible), and every stack exports the same text.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { planStack } from "../engine/plan";
import { sdkConstraints } from "../modules/kfp/sdk";
import { kfpSdk, releases } from "../modules/versions";
import { REPO_ROOT } from "./helpers";

const pins = (text: string) => Object.fromEntries(text.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split("==")));

it("sdk/constraints.txt is current (run `npm run docs` after changing kfpSdk)", () => {
  assert.equal(readFileSync(join(REPO_ROOT, "sdk/constraints.txt"), "utf8"), sdkConstraints());
});

it("pins exactly the table's packages, each on the backend's X.Y line", () => {
  const file = pins(sdkConstraints());
  assert.deepEqual(file, Object.fromEntries(Object.entries(kfpSdk).map(([name, pin]) => [name, pin.version])));
  const line = releases.kfp.version.split(".").slice(0, 2).join(".");
  for (const [name, version] of Object.entries(file)) assert.ok(version.startsWith(`${line}.`), `${name}==${version} is not on the ${line} line of the backend`);
});

it("is a stack output", async () => {
  const plan = await planStack("local", { root: REPO_ROOT, outDir: null, policyConfig: false });
  assert.equal(plan.outputs.sdkConstraints, sdkConstraints());
});
