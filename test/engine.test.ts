// The offline engine behaves like the real one where it matters: duplicate URNs refused, schema
// violations named by object and field, default providers caught, config errors reported cleanly.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planStack } from "../engine/plan";
import { engineUrn } from "../engine/urn";
import { stackYaml, tempRoot } from "./helpers";

const root = tempRoot({ dev: stackYaml() });
const plan = (program: () => Promise<unknown>) => planStack("dev", { root, outDir: null, program });

function provider() {
  return new k8s.Provider("test-k8s", { context: "kind-test" });
}

describe("offline engine", () => {
  it("computes URNs the way the engine does: full parent type, never the root stack's", () => {
    const parent = engineUrn("s", "p", "a:b:Outer", "outer", "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s");
    assert.equal(parent, "urn:pulumi:s::p::a:b:Outer::outer");
    const child = engineUrn("s", "p", "a:b:Inner", "inner", parent);
    assert.equal(engineUrn("s", "p", "x:y:Leaf", "leaf", child), "urn:pulumi:s::p::a:b:Outer$a:b:Inner$x:y:Leaf::leaf");
  });

  it("refuses two resources with the same URN", async () => {
    const result = await plan(async () => {
      const p = provider();
      new k8s.core.v1.ConfigMap("same", { metadata: { name: "a", namespace: "x" } }, { provider: p });
      new k8s.core.v1.ConfigMap("same", { metadata: { name: "b", namespace: "x" } }, { provider: p });
    });
    assert.equal(result.ok, false);
    assert.ok(result.problems.some((p) => /^duplicate resource URN urn:pulumi:dev::kfp-platform::kubernetes:core\/v1:ConfigMap::same/.test(p)), result.problems.join("\n"));
  });

  it("refuses two objects of one group, kind, namespace and name, naming both URNs", async () => {
    const result = await plan(async () => {
      const p = provider();
      new k8s.core.v1.ConfigMap("first", { metadata: { name: "settings", namespace: "x" } }, { provider: p });
      new k8s.core.v1.ConfigMap("second", { metadata: { name: "settings", namespace: "x" } }, { provider: p });
      new k8s.core.v1.ConfigMap("other-namespace", { metadata: { name: "settings", namespace: "y" } }, { provider: p });
      new k8s.rbac.v1.ClusterRole("role-a", { metadata: { name: "reader" }, rules: [] }, { provider: p });
      new k8s.rbac.v1.ClusterRole("role-b", { metadata: { name: "reader" }, rules: [] }, { provider: p });
    });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.problems.filter((p) => p.startsWith("duplicate object:")),
      [
        "duplicate object: ClusterRole reader (group rbac.authorization.k8s.io) is created by both urn:pulumi:dev::kfp-platform::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::role-a and urn:pulumi:dev::kfp-platform::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::role-b; the API server keeps one object per group, kind, namespace and name, so the second create would fail with AlreadyExists. Rename one (its metadata.name or namespace), or let one component own it",
        "duplicate object: ConfigMap x/settings (core) is created by both urn:pulumi:dev::kfp-platform::kubernetes:core/v1:ConfigMap::first and urn:pulumi:dev::kfp-platform::kubernetes:core/v1:ConfigMap::second; the API server keeps one object per group, kind, namespace and name, so the second create would fail with AlreadyExists. Rename one (its metadata.name or namespace), or let one component own it",
      ],
    );
  });

  it("names the object and the field of a schema violation", async () => {
    const result = await plan(async () => {
      new k8s.apps.v1.Deployment(
        "bad",
        {
          metadata: { name: "bad", namespace: "x" },
          spec: {
            selector: { matchLabels: { app: "bad" } },
            template: {
              metadata: { labels: { app: "bad" } },
              spec: { containers: [{ name: "c", image: "i:1", ports: [{ containerPort: "http" as unknown as number }] }] },
            },
          },
        },
        { provider: provider() },
      );
    });
    assert.deepEqual(
      result.problems.filter((p) => p.startsWith("schema:")),
      [
        "schema: Deployment x/bad (urn:pulumi:dev::kfp-platform::kubernetes:apps/v1:Deployment::bad): field /spec/template/spec/containers/0/ports/0/containerPort must be integer",
      ],
    );
  });

  it("validates custom resources against the CRD in the same plan, and flags kinds nobody defines", async () => {
    const result = await plan(async () => {
      const p = provider();
      new k8s.apiextensions.v1.CustomResourceDefinition(
        "crd",
        {
          metadata: { name: "widgets.example.com" },
          spec: {
            group: "example.com",
            scope: "Namespaced",
            names: { kind: "Widget", plural: "widgets", singular: "widget" },
            versions: [
              {
                name: "v1",
                served: true,
                storage: true,
                schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties: { size: { type: "integer" } } } } } },
              },
            ],
          },
        },
        { provider: p },
      );
      new k8s.apiextensions.CustomResource("good", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "good", namespace: "x" }, spec: { size: 3 } }, { provider: p });
      new k8s.apiextensions.CustomResource("bad", { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "bad", namespace: "x" }, spec: { size: "big" } }, { provider: p });
      new k8s.apiextensions.CustomResource("orphan", { apiVersion: "nowhere.io/v1", kind: "Thing", metadata: { name: "orphan", namespace: "x" } }, { provider: p });
    });
    const schema = result.problems.filter((p) => p.startsWith("schema:")).sort();
    assert.equal(schema.length, 2, schema.join("\n"));
    assert.match(schema[1], /Widget x\/bad .*field \/spec\/size must be integer/);
    assert.match(schema[0], /Thing x\/orphan .*nowhere\.io\/v1 Thing is neither in the Kubernetes 1\.34 API nor defined by a CRD/);
  });

  it("catches a Kubernetes object created through the default provider", async () => {
    const result = await plan(async () => {
      new k8s.core.v1.ConfigMap("ambient", { metadata: { name: "ambient", namespace: "x" } });
    });
    assert.deepEqual(result.problems, [
      "provider: urn:pulumi:dev::kfp-platform::kubernetes:core/v1:ConfigMap::ambient uses the default Kubernetes provider; pass the foundation's provider ({ provider })",
    ]);
  });

  it("marks additionalSecretOutputs secret like the engine, and awaits registrations made inside applies", async () => {
    const result = await plan(async () => {
      const p = provider();
      const late = pulumi.output("late").apply(async (v) => {
        await new Promise((r) => setTimeout(r, 20));
        return new k8s.core.v1.ConfigMap(v, { metadata: { name: v, namespace: "x" } }, { provider: p });
      });
      return { late: late.apply(() => "created") };
    });
    assert.ok(result.resources.some((r) => r.name === "late"), "registration made after a delay inside an apply is recorded");
  });

  it("keeps a secret stack output secret, as the engine shows it", async () => {
    const result = await plan(async () => ({ open: pulumi.output("visible"), nested: { password: pulumi.secret("hunter2") } }));
    assert.deepEqual(result.outputs, { open: "visible", nested: { password: "[secret]" } });
  });
});
