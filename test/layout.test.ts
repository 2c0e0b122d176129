// The layout of modules/ (issue #19): data flows one way (stack file -> config -> foundation contract ->
// workloads -> outputs), so no folder imports a folder that imports it back, the low Kubernetes helpers
// import nothing of the kit's, and a stack loads only the cloud SDK its target needs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { cycles, fileImports, folderEdges, foldersWithSubfolders, type ImportEdge } from "./import-graph";
import { REPO_ROOT } from "./helpers";

const MODULES = join(REPO_ROOT, "modules");
const files = fileImports(MODULES);

/** A cycle, with the imports that make it, for the failure message. */
function explain(graph: ReturnType<typeof folderEdges>, component: string[]): string {
  const lines = component.flatMap((a) =>
    [...(graph.get(a)?.entries() ?? [])].filter(([b]) => component.includes(b)).flatMap(([, edges]) => edges.map((e) => `  ${e.from} imports ${e.to}`)),
  );
  return `folders ${component.join(", ")} import one another:\n${lines.join("\n")}`;
}

describe("module layout", () => {
  it("reads the imports of every kind of statement", () => {
    const has = (from: string, to: string) => files.some((e) => e.from === from && e.to === to);
    assert.ok(has("main.ts", "config/index.ts"), "a static import");
    assert.ok(has("main.ts", "cloud/aws/index.ts"), "a require() of a foundation");
    assert.ok(files.some((e) => e.from.startsWith("kfp/") && e.to === "foundation/contract.ts"), "a type-only import");
  });

  it("finds a cycle when one folder imports another that imports it back", () => {
    const planted: ImportEdge[] = [...files, { from: "foundation/contract.ts", to: "kfp/index.ts" }];
    const graph = folderEdges(planted);
    const found = cycles(graph);
    assert.equal(found.length, 1);
    assert.ok(found[0].includes("foundation") && found[0].includes("kfp"), found[0].join(","));
    assert.match(explain(graph, found[0]), /foundation\/contract\.ts imports kfp\/index\.ts/);
  });

  for (const folder of foldersWithSubfolders(MODULES)) {
    it(`no folder of modules/${folder} imports a folder that imports it back`, () => {
      const graph = folderEdges(files, folder);
      const found = cycles(graph);
      assert.deepEqual(found.map((c) => explain(graph, c)), []);
    });
  }

  it("the README's folder map lists every part of modules/ in layer order: each imports only those above it", () => {
    const rows = [...readFileSync(join(REPO_ROOT, "README.md"), "utf8").matchAll(/^\| `modules\/([^`]+)` \|/gm)].map((m) => m[1].replace(/\/$/, ""));
    const parts = [...folderEdges(files).keys(), ...[...folderEdges(files).values()].flatMap((m) => [...m.keys()])];
    assert.deepEqual([...new Set(parts)].filter((p) => !rows.includes(p)), [], "parts of modules/ missing from the README's folder map");
    const rank = new Map(rows.map((r, i) => [r, i]));
    const downward = [...folderEdges(files).entries()].flatMap(([a, out]) =>
      [...out.entries()].filter(([b]) => rank.get(b)! > rank.get(a)!).map(([b, edges]) => `${a} (row ${rank.get(a)}) imports ${b} (row ${rank.get(b)}): ${edges[0].from} -> ${edges[0].to}`),
    );
    assert.deepEqual(downward, []);
  });

  it("k8s/ (the lowest helpers) imports nothing of the kit's", () => {
    const outside = files.filter((e) => e.from.startsWith("k8s/") && !e.to.startsWith("k8s/"));
    assert.deepEqual(outside.map((e) => `${e.from} imports ${e.to}`), []);
  });

  it("the contract and the facts import no foundation and no workload", () => {
    const low = new Set(["foundation", "facts"]);
    const allowed = new Set(["foundation", "facts", "versions.ts"]);
    const wrong = files.filter((e) => low.has(e.from.split("/")[0]) && !allowed.has(e.to.split("/")[0]));
    assert.deepEqual(wrong.map((e) => `${e.from} imports ${e.to}`), []);
  });

  it("the local plan loads no cloud SDK; an aws plan loads @pulumi/aws and not @pulumi/gcp", () => {
    // A fresh process per stack: what a user's `npm run plan -- <stack>` loads.
    const loaded = (stack: string): string[] => {
      const script = `
        const { planStack } = require(${JSON.stringify(join(REPO_ROOT, "engine/plan.ts"))});
        planStack(${JSON.stringify(stack)}, { root: ${JSON.stringify(REPO_ROOT)}, outDir: null }).then(() => {
          const sdks = new Set(Object.keys(require.cache).map((k) => /node_modules\\/(@pulumi\\/[a-z0-9-]+)\\//.exec(k)?.[1]).filter(Boolean));
          console.log(JSON.stringify([...sdks].sort()));
        });`;
      const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout.trim().split("\n").pop()!);
    };
    const local = loaded("local");
    assert.ok(local.includes("@pulumi/kubernetes"), local.join(","));
    assert.ok(!local.includes("@pulumi/aws") && !local.includes("@pulumi/gcp"), `local loads ${local.join(", ")}`);
    const aws = loaded("aws-dev");
    assert.ok(aws.includes("@pulumi/aws") && !aws.includes("@pulumi/gcp"), `aws-dev loads ${aws.join(", ")}`);
  });
});
