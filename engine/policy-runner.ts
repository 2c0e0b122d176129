// Drives a policy pack the way the Pulumi CLI does (../shared/reference/pulumi-offline.md §2.5, option A):
// the pack's entry is loaded as `pulumi-analyzer-policy` would load it, with grpc's addService captured
// (and no port bound), so every call below reaches the very service object the CLI dials. Then, as the
// engine: GetAnalyzerInfo, Configure with the reconciled config, ConfigureStack, per resource Remediate
// then Analyze on its inputs, and finally AnalyzeStack on every resource's outputs.
import { createRequire } from "node:module";
import { join } from "node:path";
import type { RecordedResource } from "./harness";
import type { EnforcementLevel, PolicyInfo, PolicyPackConfig } from "./policy-config";
import { PolicyConfigError } from "./policy-config";
import type { Json } from "./serialize";
import { ROOT_STACK_TYPE } from "./urn";

export interface PolicyDiagnostic {
  policy: string;
  /** `remediate` is reported as mandatory, as the engine does once remediation has run. */
  level: Exclude<EnforcementLevel, "remediate" | "disabled">;
  urn: string;
  /** The policy's own message (the diagnostic minus the description line the server puts first). */
  message: string;
  stage: "resource" | "stack";
}

export interface StackToAnalyze {
  stack: string;
  project: string;
  resources: readonly RecordedResource[];
  /** The root stack's outputs: its state, as AnalyzeStack sees it. */
  outputs: Record<string, Json>;
  preview: boolean;
}

type Rpc = (call: { request: unknown }, callback: (err: unknown, response: any) => void) => unknown;

/** One loaded pack: the analyzer service the CLI would talk to, and the protobuf classes it speaks. */
export class LoadedPolicyPack {
  readonly name: string;
  readonly version: string;
  readonly policies: PolicyInfo[];
  readonly initialConfig: PolicyPackConfig;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly service: Record<string, Rpc>,
    private readonly pb: any,
    private readonly Struct: any,
    info: any,
  ) {
    const level = (value: number) => levelName(pb, value);
    this.name = info.getName();
    this.version = info.getVersion();
    this.policies = info.getPoliciesList().map((p: any) => ({
      name: p.getName(),
      enforcementLevel: level(p.getEnforcementlevel()),
      ...(p.getConfigschema()
        ? { configSchema: { properties: p.getConfigschema().getProperties()?.toJavaScript() ?? {}, required: p.getConfigschema().getRequiredList() } }
        : {}),
    }));
    this.initialConfig = {};
    info.getInitialconfigMap().forEach((c: any, key: string) => {
      this.initialConfig[key] = { enforcementLevel: level(c.getEnforcementlevel()), properties: c.getProperties()?.toJavaScript() };
    });
  }

  static async load(dir: string): Promise<LoadedPolicyPack> {
    // Resolve through the pack's own dependencies (policies/node_modules when installed), as the CLI does.
    const packRequire = createRequire(join(dir, "package.json"));
    const policyRequire = createRequire(packRequire.resolve("@pulumi/policy"));
    const grpc = policyRequire("@grpc/grpc-js");
    const pbPath = policyRequire.resolve("@pulumi/pulumi/proto/analyzer_pb");
    const pb = policyRequire(pbPath);
    const protobuf = (name: string) => createRequire(pbPath)(`google-protobuf/google/protobuf/${name}_pb`);

    let service: Record<string, Rpc> | undefined;
    const { addService, bindAsync } = grpc.Server.prototype;
    grpc.Server.prototype.addService = function (_definition: unknown, implementation: Record<string, Rpc>) {
      if ("analyze" in implementation) service = implementation;
    };
    grpc.Server.prototype.bindAsync = function () {};
    const cwd = process.cwd();
    try {
      // PolicyPack reads its version from ./package.json: the CLI starts it with the pack as cwd.
      process.chdir(dir);
      packRequire(dir);
    } finally {
      process.chdir(cwd);
      grpc.Server.prototype.addService = addService;
      grpc.Server.prototype.bindAsync = bindAsync;
    }
    if (!service) throw new Error(`${dir}: loading the pack registered no analyzer service`);
    const info = await rpc(service, "getAnalyzerInfo", new (protobuf("empty").Empty)());
    return new LoadedPolicyPack(service, pb, protobuf("struct").Struct, info);
  }

  /** Configure + ConfigureStack, then the two analysis passes; one stack at a time (the config is global). */
  analyze(config: PolicyPackConfig, target: StackToAnalyze, stackConfig: Record<string, string>): Promise<PolicyDiagnostic[]> {
    const run = this.queue.then(async () => {
      await this.configure(config);
      await this.configureStack(target, stackConfig);
      return [...(await this.analyzeResources(target)), ...(await this.analyzeStack(target))];
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private call(method: string, request: any): Promise<any> {
    // A round trip through the wire encoding, so nothing reaches the pack that gRPC could not carry.
    const decoded = request.constructor.deserializeBinary(request.serializeBinary());
    return rpc(this.service, method, decoded);
  }

  private async configure(config: PolicyPackConfig): Promise<void> {
    const req = new this.pb.ConfigureAnalyzerRequest();
    for (const [name, entry] of Object.entries(config)) {
      if (!entry.enforcementLevel) throw new PolicyConfigError(`${name}: invalid enforcement level "" (is there a policy of that name in the pack?)`);
      const c = new this.pb.PolicyConfig();
      c.setEnforcementlevel(this.pb.EnforcementLevel[entry.enforcementLevel.toUpperCase()]);
      c.setProperties(this.Struct.fromJavaScript(entry.properties ?? {}));
      req.getPolicyconfigMap().set(name, c);
    }
    await this.call("configure", req);
  }

  private async configureStack(target: StackToAnalyze, stackConfig: Record<string, string>): Promise<void> {
    const req = new this.pb.AnalyzerStackConfigureRequest();
    req.setStack(target.stack);
    req.setProject(target.project);
    req.setDryRun(target.preview);
    for (const [key, value] of Object.entries(stackConfig)) req.getConfigMap().set(key, value);
    req.getTagsMap().set("pulumi:project", target.project);
    req.getTagsMap().set("pulumi:runtime", "nodejs");
    await this.call("configureStack", req);
  }

  private async analyzeResources(target: StackToAnalyze): Promise<PolicyDiagnostic[]> {
    const out: PolicyDiagnostic[] = [];
    const byUrn = new Map(target.resources.map((r) => [r.urn, r]));
    for (const r of target.resources) {
      let inputs: Record<string, unknown> = r.wireInputs;
      const request = (props: Record<string, unknown>) => {
        const req = new this.pb.AnalyzeRequest();
        req.setUrn(r.urn);
        req.setType(r.type);
        req.setName(r.name);
        req.setProperties(this.Struct.fromJavaScript(props));
        req.setOptions(this.options(r));
        const provider = this.provider(r, byUrn, target);
        if (provider) req.setProvider(provider);
        return req;
      };
      // Pass 1 remediates; its output replaces the inputs that pass 2 analyzes.
      const remediated = await this.call("remediate", request(inputs));
      for (const rem of remediated.getRemediationsList()) {
        if (rem.getDiagnostic()) out.push(diagnostic(rem.getPolicyname(), "advisory", r.urn, rem.getDiagnostic(), "resource"));
        else if (rem.getProperties()) inputs = rem.getProperties().toJavaScript();
      }
      // The engine marshals Analyze properties with SkipInternalKeys (`__`-prefixed keys dropped).
      const analyzed = await this.call("analyze", request(withoutInternalKeys(inputs) as Record<string, unknown>));
      for (const d of analyzed.getDiagnosticsList()) out.push(this.diagnostic(d, r.urn, "resource"));
    }
    return out;
  }

  private async analyzeStack(target: StackToAnalyze): Promise<PolicyDiagnostic[]> {
    const byUrn = new Map(target.resources.map((r) => [r.urn, r]));
    const req = new this.pb.AnalyzeStackRequest();
    req.setResourcesList(
      target.resources.map((r) => {
        const res = new this.pb.AnalyzerResource();
        res.setUrn(r.urn);
        res.setType(r.type);
        res.setName(r.name);
        const state = r.type === ROOT_STACK_TYPE ? target.outputs : r.wireOutputs;
        res.setProperties(this.Struct.fromJavaScript(withoutInternalKeys(state)));
        res.setOptions(this.options(r));
        const provider = this.provider(r, byUrn, target);
        if (provider) res.setProvider(provider);
        if (r.parent) res.setParent(r.parent);
        res.setDependenciesList(r.dependsOn);
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          if (urns.length === 0) continue;
          const deps = new this.pb.AnalyzerPropertyDependencies();
          deps.setUrnsList(urns);
          res.getPropertydependenciesMap().set(key, deps);
        }
        return res;
      }),
    );
    const resp = await this.call("analyzeStack", req);
    // A stack diagnostic names its resource's URN when the policy passed one; otherwise the stack.
    const stackUrn = target.resources.find((r) => r.type === ROOT_STACK_TYPE)?.urn ?? "";
    return resp.getDiagnosticsList().map((d: any) => this.diagnostic(d, d.getUrn() || stackUrn, "stack"));
  }

  private options(r: RecordedResource): any {
    const opts = new this.pb.AnalyzerResourceOptions();
    opts.setProtect(r.protect);
    opts.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
    if (r.parent) opts.setParent(r.parent);
    return opts;
  }

  /**
   * The resource's provider, with its inputs. Custom resources without an explicit provider get the
   * engine's default provider (its inputs would come from stack config; none are recorded offline).
   */
  private provider(r: RecordedResource, byUrn: Map<string, RecordedResource>, target: StackToAnalyze): any {
    if (!r.custom || r.type.startsWith("pulumi:providers:")) return undefined;
    const explicit = r.provider ? byUrn.get(r.provider) : undefined;
    const pkg = r.type.split(":")[0];
    const p = new this.pb.AnalyzerProviderResource();
    p.setType(explicit?.type ?? `pulumi:providers:${pkg}`);
    p.setName(explicit?.name ?? "default");
    p.setUrn(explicit?.urn ?? `urn:pulumi:${target.stack}::${target.project}::pulumi:providers:${pkg}::default`);
    p.setProperties(this.Struct.fromJavaScript(withoutInternalKeys(explicit?.wireInputs ?? {})));
    return p;
  }

  private diagnostic(d: any, urn: string, stage: PolicyDiagnostic["stage"]): PolicyDiagnostic {
    const level = levelName(this.pb, d.getEnforcementlevel());
    const text: string = d.getMessage();
    const prefix = `${d.getDescription()}\n`;
    return diagnostic(d.getPolicyname(), level === "advisory" ? "advisory" : "mandatory", urn, text.startsWith(prefix) ? text.slice(prefix.length) : text, stage);
  }
}

function diagnostic(policy: string, level: PolicyDiagnostic["level"], urn: string, message: string, stage: PolicyDiagnostic["stage"]): PolicyDiagnostic {
  return { policy, level, urn, message, stage };
}

function levelName(pb: any, value: number): EnforcementLevel {
  const name = Object.entries(pb.EnforcementLevel).find(([, v]) => v === value)?.[0];
  return (name ?? "ADVISORY").toLowerCase() as EnforcementLevel;
}

function rpc(service: Record<string, Rpc>, method: string, request: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    service[method]({ request }, (err, response) => (err ? reject(err) : resolve(response)));
  });
}

function withoutInternalKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInternalKeys);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !key.startsWith("__")).map(([key, v]) => [key, withoutInternalKeys(v)]));
}

const loaded = new Map<string, Promise<LoadedPolicyPack>>();

/** The pack in `dir`, loaded once per process: a second PolicyPack in one process exits it. */
export function loadPolicyPack(dir: string): Promise<LoadedPolicyPack> {
  const existing = loaded.get(dir);
  if (existing) return existing;
  if (loaded.size > 0) throw new Error(`a policy pack is already loaded in this process (${[...loaded.keys()][0]}); load ${dir} in another process`);
  const pack = LoadedPolicyPack.load(dir);
  loaded.set(dir, pack);
  return pack;
}
