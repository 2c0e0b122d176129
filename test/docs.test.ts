// docs/config.md is generated from the schema; a schema change without `npm run docs` fails here.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { renderConfigReference } from "../modules/config/docs";
import { REPO_ROOT } from "./helpers";

it("docs/config.md is current (run `npm run docs` after changing the schema)", () => {
  assert.equal(readFileSync(join(REPO_ROOT, "docs/config.md"), "utf8"), renderConfigReference());
});

it("documents every top-level key with a description", () => {
  const text = renderConfigReference();
  for (const key of ["environment", "cluster", "objectStore", "database", "platformNamespace", "protectData"]) {
    const line = text.split("\n").find((l) => l.startsWith(`| \`kfp-platform:${key}\` |`));
    assert.ok(line, `${key} missing`);
    assert.ok(line.split(" | ").at(-1)!.replace(/\|$/, "").trim().length > 10, `${key} has no description`);
  }
});
