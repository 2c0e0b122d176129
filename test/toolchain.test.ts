// What the Pulumi CLI needs to run this program: Node 22, one copy of the SDK, a TypeScript and
// ts-node inside the SDK's supported range, and index.ts loading under ts-node as run.js loads it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { REPO_ROOT } from "./helpers";

const pkg = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, "node_modules", name, "package.json"), "utf8"));

it("runs on Node 22 or newer, as @pulumi/pulumi requires", () => {
  assert.ok(Number(process.versions.node.split(".")[0]) >= 22, `node ${process.version}`);
});

it("has exactly one copy of @pulumi/pulumi (nested copies break mocks and providers)", () => {
  const nested = readdirSync(join(REPO_ROOT, "node_modules/@pulumi")).filter((p) =>
    existsSync(join(REPO_ROOT, "node_modules/@pulumi", p, "node_modules/@pulumi/pulumi")),
  );
  assert.deepEqual(nested, []);
});

it("pins a typescript and ts-node the SDK's CLI runner accepts (typescript < 7, ts-node < 12)", () => {
  const peers = pkg("@pulumi/pulumi").peerDependencies;
  assert.equal(peers.typescript, ">= 3.8.3 < 7");
  assert.equal(peers["ts-node"], ">= 7.0.1 < 12");
  assert.ok(Number(pkg("typescript").version.split(".")[0]) < 7);
  assert.ok(Number(pkg("ts-node").version.split(".")[0]) < 12);
});

it("loads index.ts through ts-node with type checking, exporting the program function, as `pulumi up` does", () => {
  const r = spawnSync(
    process.execPath,
    ["-e", 'require("ts-node").register({ project: "tsconfig.json", compilerOptions: {} }); const m = require("./index.ts"); process.stdout.write(typeof m);'],
    { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "function");
});

it("Pulumi.yaml names the project, the nodejs runtime, the entry point and stacks/", () => {
  const text = readFileSync(join(REPO_ROOT, "Pulumi.yaml"), "utf8");
  for (const line of [/^name: kfp-platform$/m, /^ {2}name: nodejs$/m, /^main: index\.ts$/m, /^stackConfigDir: stacks$/m]) assert.match(text, line);
});

it("the README names exactly the Debian packages .ci/system-packages installs, and .ci/run runs it", () => {
  const script = readFileSync(join(REPO_ROOT, ".ci/system-packages"), "utf8");
  const needs = script.slice(script.indexOf("NEEDS=("), script.indexOf(")", script.indexOf("NEEDS=(")));
  const installed = [...needs.matchAll(/^\s*"\S+ ([^"]+)"$/gm)].flatMap((m) => m[1].split(" "));
  assert.ok(installed.length >= 8, installed.join(" "));
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const listed = /installs \(each only\s+when missing\): `([^`]+)`/.exec(readme)?.[1].split(/\s+/);
  assert.deepEqual(listed, installed);
  assert.match(readFileSync(join(REPO_ROOT, ".ci/run"), "utf8"), /^bash \.ci\/system-packages$/m);
  const r = spawnSync("bash", ["-n", join(REPO_ROOT, ".ci/system-packages")], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
});

it("npm test ends with the skip count and the plain closing line, from test/reporters/skips.mjs", () => {
  const test = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).scripts.test as string;
  assert.match(test, /--test-reporter=spec --test-reporter-destination=stdout --test-reporter=\.\/test\/reporters\/skips\.mjs --test-reporter-destination=stdout/);
  const demo = join(REPO_ROOT, "test/fixtures/skip-demo.fixture.ts");
  // Without NODE_TEST_CONTEXT, which makes a child of the test runner report to its parent instead.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-reporter=./test/reporters/skips.mjs", demo], { cwd: REPO_ROOT, encoding: "utf8", env: { ...env, CI: "" } });
  const lines = r.stdout.trim().split("\n");
  assert.deepEqual(lines.slice(-2), ["skipped: 1 suite, 1 test", "tests: 1 passed, 0 failed, 2 skipped"]);
  assert.ok(lines.some((l) => /suite needs a tool .*: thing is not installed \(apt-get install thing-pkg/.test(l)), r.stdout);
});
