// The pack as the Pulumi CLI starts it (run-policy-pack from policies/, ts-node type-checking, a gRPC
// port on stdout), its metadata and config schemas, and the engine-side config reconciliation.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Ajv from "ajv";
import { POLICY_PACK_DIR, policyConfigPath } from "../engine/policy";
import { ENVIRONMENTS } from "../modules/config/schema";
import { parsePolicyPackConfig, PolicyConfigError, reconcilePolicyPackConfig, type PolicyInfo } from "../engine/policy-config";
import { loadPolicyPack } from "../engine/policy-runner";
import { policies, PACK_NAME } from "../policies/src";

const packJson = JSON.parse(readFileSync(join(POLICY_PACK_DIR, "package.json"), "utf8"));
const packRequire = createRequire(join(POLICY_PACK_DIR, "package.json"));
const grpc = createRequire(packRequire.resolve("@pulumi/policy"))("@grpc/grpc-js");
const pb = packRequire("@pulumi/pulumi/proto/analyzer_pb");
const { AnalyzerClient } = packRequire("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Empty } = createRequire(packRequire.resolve("@pulumi/pulumi/proto/analyzer_pb"))("google-protobuf/google/protobuf/empty_pb");
const { Struct } = createRequire(packRequire.resolve("@pulumi/pulumi/proto/analyzer_pb"))("google-protobuf/google/protobuf/struct_pb");

/** Starts the pack the way `pulumi-analyzer-policy` does: run-policy-pack resolved from the pack, cwd the pack. */
function startLikeTheCli(): Promise<{ child: ChildProcess; port: number }> {
  const runner = packRequire.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout!.on("data", (d) => {
      out += d;
      const port = /^(\d+)\s*$/m.exec(out)?.[1];
      if (port) resolve({ child, port: Number(port) });
    });
    child.stderr!.on("data", (d) => (err += d));
    child.on("exit", (code) => reject(new Error(`policy pack exited ${code} before serving:\n${out}\n${err}`)));
  });
}

/** The policies as the CLI-started pack describes them (filled by the first test). */
let served: PolicyInfo[] = [];

const unary = (client: any, method: string, request: unknown): Promise<any> =>
  new Promise((resolve, reject) => client[method](request, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))));

describe("policy pack served as the Pulumi CLI starts it", () => {
  let child: ChildProcess;
  let client: any;
  before(async () => {
    const started = await startLikeTheCli();
    child = started.child;
    client = new AnalyzerClient(`127.0.0.1:${started.port}`, grpc.credentials.createInsecure());
  });
  after(() => {
    client?.close();
    child?.kill();
  });

  it("reports the pack's name, the version from policies/package.json, and every policy with its level", async () => {
    const info = await unary(client, "getAnalyzerInfo", new Empty());
    assert.equal(info.getName(), PACK_NAME);
    assert.equal(info.getVersion(), packJson.version);
    assert.ok(info.getSupportsconfig());
    assert.deepEqual(info.getPoliciesList().map((p: any) => p.getName()), policies.map((p) => p.name));
    const mandatory = pb.EnforcementLevel.MANDATORY;
    const levels = Object.fromEntries(info.getPoliciesList().map((p: any) => [p.getName(), p.getEnforcementlevel()]));
    assert.equal(levels["image-digests"], pb.EnforcementLevel.ADVISORY);
    assert.ok(Object.entries(levels).filter(([name]) => name !== "image-digests").every(([, level]) => level === mandatory), "unconfigured runs are strict");
    served = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      enforcementLevel: p.getEnforcementlevel() === mandatory ? "mandatory" : "advisory",
      ...(p.getConfigschema() ? { configSchema: { properties: p.getConfigschema().getProperties().toJavaScript(), required: p.getConfigschema().getRequiredList() } } : {}),
    }));
  });

  it("serves a valid JSON schema, with valid defaults, for every policy's knobs", () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    const withSchemas = served.filter((p) => p.configSchema);
    assert.ok(withSchemas.length >= 7);
    for (const policy of withSchemas) {
      const schema = { type: "object", properties: policy.configSchema!.properties, required: policy.configSchema!.required ?? [] };
      assert.ok(ajv.validateSchema(schema), `${policy.name}: ${ajv.errorsText()}`);
      const validate = ajv.compile(schema);
      const defaults = Object.fromEntries(Object.entries(policy.configSchema!.properties).map(([k, s]) => [k, s.default]));
      assert.ok(validate(defaults), `${policy.name} defaults: ${ajv.errorsText(validate.errors)}`);
      assert.ok(!("enforcementLevel" in policy.configSchema!.properties), "the CLI adds enforcementLevel itself");
    }
  });

  it("takes Configure and judges an Analyze request over gRPC", async () => {
    const configure = new pb.ConfigureAnalyzerRequest();
    const level = new pb.PolicyConfig();
    level.setEnforcementlevel(pb.EnforcementLevel.ADVISORY);
    level.setProperties(Struct.fromJavaScript({ maxMemoryLimitRatio: 2 }));
    configure.getPolicyconfigMap().set("container-resources", level);
    await unary(client, "configure", configure);

    const req = new pb.AnalyzeRequest();
    req.setType("kubernetes:core/v1:Pod");
    req.setUrn("urn:pulumi:dev::kfp-platform::kubernetes:core/v1:Pod::p");
    req.setName("p");
    const resources = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "4Gi" } };
    req.setProperties(Struct.fromJavaScript({ metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "docker.io/library/busybox:1.36.1", resources }] } }));
    req.setOptions(new pb.AnalyzerResourceOptions());
    const diagnostics = (await unary(client, "analyze", req)).getDiagnosticsList();
    const ratio = diagnostics.find((d: any) => d.getPolicyname() === "container-resources");
    assert.ok(ratio, "configured bound of 2x applies");
    assert.equal(ratio.getEnforcementlevel(), pb.EnforcementLevel.ADVISORY);
    assert.match(ratio.getMessage(), /may grow to 4\.0x its memory request \(1Gi -> 4Gi\), above 2x/);
  });
});

describe("policy pack metadata", () => {
  it("has a PulumiPolicy.yaml for the nodejs runtime and the root's exact SDK versions", () => {
    assert.match(readFileSync(join(POLICY_PACK_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
    const root = JSON.parse(readFileSync(join(POLICY_PACK_DIR, "../package.json"), "utf8"));
    const rootDeps = { ...root.dependencies, ...root.devDependencies };
    for (const [name, version] of Object.entries<string>(packJson.dependencies)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name} pinned exactly`);
      assert.equal(version, rootDeps[name], `${name} matches the root package.json`);
    }
  });

  it("loads in-process (engine/policy-runner.ts) to exactly the analyzer info the CLI-started pack serves", async () => {
    const pack = await loadPolicyPack(POLICY_PACK_DIR);
    assert.equal(`${pack.name}@${pack.version}`, `${PACK_NAME}@${packJson.version}`);
    assert.ok(served.length > 0);
    assert.deepEqual(pack.policies, served);
  });
});

describe("policy config, reconciled as the CLI does", () => {
  const info: PolicyInfo[] = [
    { name: "a", enforcementLevel: "mandatory", configSchema: { properties: { bound: { type: "number", minimum: 1, default: 4 }, names: { type: "array", items: { type: "string" }, default: ["x"] } } } },
    { name: "b", enforcementLevel: "advisory" },
  ];

  it("layers schema defaults, initial config, \"all\" and then per-policy settings", () => {
    const given = parsePolicyPackConfig(JSON.stringify({ all: "advisory", a: { enforcementLevel: "mandatory", bound: 8 } }), "f.json");
    const result = reconcilePolicyPackConfig(info, { b: { enforcementLevel: "disabled" } }, given);
    assert.deepEqual(result.a, { enforcementLevel: "mandatory", properties: { bound: 8, names: ["x"] } });
    assert.deepEqual(result.b, { enforcementLevel: "advisory", properties: undefined });
    assert.deepEqual(reconcilePolicyPackConfig(info, {}, {}).a, { enforcementLevel: "mandatory", properties: { bound: 4, names: ["x"] } });
  });

  it("rejects bad levels and values that break a policy's schema, naming the policy", () => {
    assert.throws(() => parsePolicyPackConfig('{"a": "loud"}', "f.json"), /f\.json: a: "loud" is not an enforcement level/);
    assert.throws(() => parsePolicyPackConfig('{"a": {"enforcementLevel": 3}}', "f.json"), PolicyConfigError);
    assert.throws(() => reconcilePolicyPackConfig(info, {}, { a: { properties: { bound: 0 } } }), /^PolicyConfigError: a: bound must be >= 1$/);
  });

  it("ships a valid config per environment: dev relaxes some policies, prod makes all but digests mandatory", async () => {
    const pack = await loadPolicyPack(POLICY_PACK_DIR);
    const levels: Record<string, Record<string, string | undefined>> = {};
    for (const env of ENVIRONMENTS) {
      const file = policyConfigPath(env);
      const given = parsePolicyPackConfig(readFileSync(file, "utf8"), file);
      for (const name of Object.keys(given)) assert.ok(name === "all" || pack.policies.some((p) => p.name === name), `${env}: unknown policy ${name}`);
      const result = reconcilePolicyPackConfig(pack.policies, pack.initialConfig, given);
      levels[env] = Object.fromEntries(pack.policies.map((p) => [p.name, result[p.name].enforcementLevel]));
    }
    assert.deepEqual(Object.entries(levels.prod).filter(([, l]) => l !== "mandatory"), [["image-digests", "advisory"]]);
    assert.ok(Object.values(levels.dev).includes("advisory"));
    for (const pin of ["kfp-images-pinned", "argo-matches-kfp", "images-pinned", "container-resources"]) assert.equal(levels.dev[pin], "mandatory", `${pin} stays mandatory in dev`);
  });
});
