// The replacement table (engine/replacements/table.json): current against the installed SDKs and the
// recorded provider facts, an entry for every resource type any stack plans, every path an input the
// SDK really has, and the readers it is built from doing what the providers' sources mean.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { plannedTypes } from "../engine/cli/replacements";
import { forceNewAttributes, pulumiPath } from "../engine/replacements/go-schema";
import { buildTable, isComponentType, loadSnapshot, loadTable, pathForces, TABLE_FILE } from "../engine/replacements/table";
import { FORCES_NEW, readSdkDocs } from "../engine/replacements/sdk-docs";
import { replacingPaths } from "../engine/stateful";
import { REPO_ROOT } from "./helpers";

describe("replacement table", () => {
  it("is current and has an entry for every type every stack plans", { timeout: 240_000 }, async () => {
    const types = await plannedTypes(REPO_ROOT);
    const table = loadTable();
    const missing = types.filter((t) => !isComponentType(t) && !table.types[t]);
    assert.deepEqual(missing, [], "types planned without an entry: run npm run replacements");
    const fresh = `${JSON.stringify(buildTable(REPO_ROOT, types, loadSnapshot()), null, 1)}\n`;
    assert.equal(readFileSync(TABLE_FILE, "utf8"), fresh, "table.json is stale against the installed SDKs: run npm run replacements");
  });

  it("names only inputs the SDKs declare (first segment) and cites a source for each entry", () => {
    const table = loadTable();
    const bridged = Object.keys(table.types).filter((t) => /^(aws|gcp|random|tls):/.test(t));
    const docs = readSdkDocs(REPO_ROOT, bridged);
    for (const type of bridged) {
      const inputs = new Set(docs.args.get(type));
      for (const p of table.types[type].replaceOn) assert.ok(inputs.has(p.split(".")[0]), `${type}: ${p} is no input`);
    }
    for (const [type, e] of Object.entries(table.types)) assert.ok(e.sources.length > 0, `${type} has no source`);
  });

  it("knows the replacements the kit's reviewers meet most", () => {
    assert.deepEqual(replacingPaths("aws:ec2/vpc:Vpc", ["cidrBlock", "tags.Name"]), ["cidrBlock"]);
    assert.deepEqual(replacingPaths("gcp:container/cluster:Cluster", ["name", "minMasterVersion"]), ["name"]);
    assert.deepEqual(replacingPaths("gcp:container/nodePool:NodePool", ["initialNodeCount", "nodeConfig.machineType"]), ["initialNodeCount"], "GKE resizes machines in place");
    assert.deepEqual(replacingPaths("aws:eks/nodeGroup:NodeGroup", ["instanceTypes[0]", "scalingConfig.maxSize"]), ["instanceTypes[0]"]);
    assert.deepEqual(replacingPaths("random:index/randomPassword:RandomPassword", ["length"]), ["length"], "a new length is a new password");
    // The kit's Kubernetes providers leave enableConfigMapMutable unset: new data is a new ConfigMap.
    assert.deepEqual(replacingPaths("kubernetes:core/v1:ConfigMap", ["data.config"]), ["data.config"]);
    assert.deepEqual(replacingPaths("kubernetes:apps/v1:Deployment", ["spec.template.spec.containers[0].image"]), []);
    assert.deepEqual(replacingPaths("kubernetes:batch/v1:Job", ["spec.template.spec.containers[0].image"]), ["spec.template.spec.containers[0].image"]);
  });
});

describe("replacement readers", () => {
  it("match Terraform's block rule: a block's ForceNew covers adding or removing it, not a change inside", () => {
    assert.ok(pathForces("nodeConfig", "nodeConfig.#"));
    assert.ok(pathForces("guestAccelerators[1]", "guestAccelerators.#"));
    assert.ok(!pathForces("nodeConfig.labels.team", "nodeConfig.#"));
    assert.ok(pathForces("subnetIds[2]", "subnetIds"));
    assert.ok(pathForces("nodePools[0].nodeConfig.spot", "nodePools.nodeConfig.spot"));
    assert.ok(!pathForces("nameSuffix", "name"));
  });

  it("read SDKv2 ForceNew fields, nested blocks, helpers and framework RequiresReplace", () => {
    const sdkv2 = `
func ResourceThing() *schema.Resource {
  return &schema.Resource{
    Schema: map[string]*schema.Schema{
      "name": { Type: schema.TypeString, Required: true, ForceNew: true },
      "size": { Type: schema.TypeInt, Optional: true },
      "config": {
        Type: schema.TypeList, Optional: true, ForceNew: true, MaxItems: 1,
        Elem: &schema.Resource{ Schema: map[string]*schema.Schema{
          "disk_type": { Type: schema.TypeString, ForceNew: true },
          "labels": { Type: schema.TypeMap, Optional: true }, // "ForceNew: true" in a comment is not a flag
        }},
      },
      "shared": sharedSchema(),
    },
  }
}
func sharedSchema() *schema.Schema {
  return &schema.Schema{ Type: schema.TypeString, ForceNew: true }
}`;
    assert.deepEqual(forceNewAttributes(sdkv2, "ResourceThing"), ["config.#", "config.disk_type", "name", "shared"]);
    const framework = `
func thingSchema() schema.Schema {
  return schema.Schema{
    Attributes: map[string]schema.Attribute{
      "length": schema.Int64Attribute{ Required: true, PlanModifiers: []planmodifier.Int64{ int64planmodifier.RequiresReplace() } },
      "note": schema.StringAttribute{ Optional: true },
    },
    Blocks: map[string]schema.Block{
      "subject": schema.ListNestedBlock{ PlanModifiers: []planmodifier.List{ listplanmodifier.RequiresReplace() } },
    },
  }
}`;
    assert.deepEqual(forceNewAttributes(framework, "thingSchema"), ["length", "subject"]);
    assert.equal(pulumiPath("node_config.boot_disk_kms_key"), "nodeConfig.bootDiskKmsKey");
  });

  it("recognise the SDK doc phrasings that mean a replacement, and not the ones that do not", () => {
    for (const doc of ["Changing this forces a new resource to be created.", "Changing this will force terraform to create new resource.", "Changing this forces a new service account to be created."]) {
      assert.match(doc, FORCES_NEW);
    }
    assert.doesNotMatch("Changing this forces a new interface to be created.", FORCES_NEW);
  });
});
