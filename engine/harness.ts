// Runs a Pulumi program in-process under the SDK's mocks and records every registration the way the
// engine would see it: engine-style URN, parent, provider, dependencies, protect, inputs and outputs.
import * as pulumi from "@pulumi/pulumi";
import { markSecret, toPlainJson, type Json } from "./serialize";
import { engineUrn, ROOT_STACK_TYPE } from "./urn";
import { planMocks } from "./mocks";

/** One registered resource, as plain data. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** A multi-language (remote) component whose children the provider renders; none exist offline. */
  remote: boolean;
  parent: string | null;
  /** URN of the explicit provider; null when the engine would use a default provider. */
  provider: string | null;
  dependsOn: string[];
  propertyDependencies: Record<string, string[]>;
  protect: boolean;
  /** Input paths later updates leave alone (`ignoreChanges`). */
  ignoreChanges: string[];
  additionalSecretOutputs: string[];
  /** Inputs as plain JSON: secrets "[secret]", unknowns "[unknown]". */
  inputs: Record<string, Json>;
  /** Mock state (the resource's outputs) as plain JSON. */
  outputs: Record<string, Json>;
  /** Raw wire-form inputs and outputs, for driving a policy pack exactly as the engine does. */
  wireInputs: Record<string, unknown>;
  wireOutputs: Record<string, unknown>;
}

export interface RunOptions {
  project: string;
  stack: string;
  /** Flat config map as the CLI hands it to a program ("ns:key" -> string). */
  config: Record<string, string>;
  secretKeys?: string[];
  /** Preview semantics: new resources have no ids or computed outputs. */
  preview?: boolean;
}

export interface RunResult {
  resources: RecordedResource[];
  outputs: Record<string, Json>;
  /** Problems the real engine would refuse the deployment for (duplicate URNs). */
  engineErrors: string[];
}

/** Runs `program` as the Pulumi CLI would (inside a root Stack) and returns what it registered. */
export async function runProgram(program: () => Promise<unknown>, options: RunOptions): Promise<RunResult> {
  const { project, stack } = options;
  await pulumi.runtime.setMocks(planMocks(options.preview ?? false), project, stack, options.preview ?? false);
  pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);

  const resources: RecordedResource[] = [];
  const engineErrors: string[] = [];
  const seen = new Set<string>();

  const monitor = pulumi.runtime.getMonitor() as any;
  // The mock monitor hands back URNs from newUrn(); making them engine-style here means parents,
  // providers and dependencies all carry the URNs the real engine would assign.
  monitor.newUrn = (parent: string, type: string, name: string) => engineUrn(stack, project, type, name, parent || undefined);
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    register(req, (err: unknown, resp: any) => {
      if (err || !resp) {
        engineErrors.push(`registration of ${req.getType()} ${req.getName()} failed: ${err instanceof Error ? err.message : String(err)}`);
        return callback(err, resp);
      }
      const urn: string = resp.getUrn();
      if (seen.has(urn)) engineErrors.push(`duplicate resource URN ${urn}: two resources share type and name`);
      seen.add(urn);
      // The engine marks additionalSecretOutputs secret; the mock monitor does not.
      const secretOutputs: string[] = req.getAdditionalsecretoutputsList();
      const wireOutputs = markSecret(resp.getObject()?.toJavaScript() ?? {}, secretOutputs);
      if (secretOutputs.length > 0 && resp.getObject()) resp.setObject(resp.getObject().constructor.fromJavaScript(wireOutputs));
      const wireInputs = req.getObject()?.toJavaScript() ?? {};
      const propertyDependencies: Record<string, string[]> = {};
      req.getPropertydependenciesMap().forEach((deps: any, key: string) => {
        propertyDependencies[key] = deps.getUrnsList();
      });
      const providerRef: string = req.getProvider();
      resources.push({
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        remote: req.getRemote(),
        parent: req.getParent() || null,
        provider: providerRef ? providerRef.slice(0, providerRef.lastIndexOf("::")) : null,
        dependsOn: req.getDependenciesList(),
        propertyDependencies,
        protect: req.getProtect() === true,
        ignoreChanges: req.getIgnorechangesList(),
        additionalSecretOutputs: secretOutputs,
        inputs: toPlainJson(wireInputs) as Record<string, Json>,
        outputs: toPlainJson(wireOutputs) as Record<string, Json>,
        wireInputs,
        wireOutputs,
      });
      callback(err, resp);
    });
  };

  // A failure inside an apply or during serialization surfaces only as an unhandled rejection; the
  // real engine fails the update for it, so the plan must fail too.
  const asyncErrors: unknown[] = [];
  const onRejection = (reason: unknown) => asyncErrors.push(reason);
  process.on("unhandledRejection", onRejection);

  let programError: unknown;
  let serializedOutputs: unknown;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        const outputs = await program();
        // Serialized inside the run, whose settings know the monitor keeps secrets: outside it, the SDK's
        // default store would write secret outputs in plain text, which the engine never does.
        serializedOutputs = await pulumi.runtime.serializeProperties("outputs", (outputs ?? {}) as Record<string, unknown>);
        return outputs;
      } catch (e) {
        programError = e;
        return undefined;
      }
    });
  } catch (e) {
    programError ??= e;
  }
  // Drains every registration still in flight, including those made inside applies.
  await pulumi.runtime.disconnect();
  await new Promise((r) => setImmediate(r));
  process.off("unhandledRejection", onRejection);
  if (programError) throw programError;
  for (const reason of new Set(asyncErrors.map((e) => (e instanceof Error ? e.message : String(e))))) {
    engineErrors.push(`program error: ${reason}`);
  }

  const stackResource = resources.find((r) => r.type === ROOT_STACK_TYPE);
  return {
    resources,
    outputs: (toPlainJson(serializedOutputs ?? {}) ?? {}) as Record<string, Json>,
    engineErrors: stackResource ? engineErrors : [...engineErrors, "the program registered no root Stack resource"],
  };
}
