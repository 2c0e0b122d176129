// Plans one stack offline: runs main() under mocks with the stack file's config, validates what it
// would create, and writes out/<stack>/resources.json and out/<stack>/manifests.yaml.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError } from "../modules/config";
import { PROJECT } from "../modules/config/schema";
import { main } from "../modules/main";
import { runProgram, type RecordedResource } from "./harness";
import { duplicateObjects, inApplyOrder, renderedObjects, type RenderedObject } from "./manifests";
import { checkPolicies, type PolicyCheck } from "./policy";
import { PolicyConfigError } from "./policy-config";
import { loadStackFile, StackFileError } from "./stack-file";
import { validateObjects } from "./validate";
import { apiServerViolations, formatPodSecurityViolation, podSecurityVerdict, type PodSecurityVerdict } from "./apiserver";
import type { Json } from "./serialize";

export interface PlanOptions {
  /** Project root (holds stacks/). */
  root: string;
  /** Where out/<stack>/ goes; default <root>/out. Null writes nothing. */
  outDir?: string | null;
  /** Preview semantics (no ids or computed outputs for new resources). */
  preview?: boolean;
  /** The program to plan; main() unless a test substitutes a deliberately broken one. */
  program?: () => Promise<unknown>;
  /** Policy config: dev | staging | prod or a file; default the stack's environment. False skips the pack. */
  policyConfig?: string | false;
}

export interface PlanResult {
  stack: string;
  ok: boolean;
  /** One line per problem, each naming where it is and what to do. */
  problems: string[];
  /** Config problems (exit 1 before anything was built). */
  configInvalid: boolean;
  resources: RecordedResource[];
  objects: RenderedObject[];
  outputs: Record<string, Json>;
  /** Pod Security Admission over every pod template and KFP step pod (absent in preview). */
  podSecurity?: PodSecurityVerdict;
  /** The policy pack's verdict (absent when the program did not run or policies were skipped). */
  policy?: PolicyCheck;
}

export async function planStack(stack: string, options: PlanOptions): Promise<PlanResult> {
  const outDir = options.outDir === undefined ? join(options.root, "out") : options.outDir;
  const stackOut = outDir === null ? null : join(outDir, stack);
  // Nothing stale may survive a failed plan: the old files go before anything else happens.
  if (stackOut) rmSync(stackOut, { recursive: true, force: true });

  const result: PlanResult = { stack, ok: false, problems: [], configInvalid: false, resources: [], objects: [], outputs: {} };
  let stackConfig: Record<string, string> = {};
  try {
    const file = loadStackFile(options.root, stack);
    stackConfig = file.config;
    const run = await runProgram(options.program ?? main, {
      project: PROJECT,
      stack,
      config: file.config,
      secretKeys: file.secretKeys,
      preview: options.preview,
    });
    result.resources = run.resources;
    result.outputs = run.outputs;
    result.problems.push(...run.engineErrors);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof StackFileError) {
      result.configInvalid = true;
      result.problems.push(...e.message.split("\n"));
      return result;
    }
    throw e;
  }

  // Registration order depends on promise timing; sorted output keeps plans and their diffs stable.
  result.resources.sort((a, b) => a.urn.localeCompare(b.urn));
  result.objects = inApplyOrder(renderedObjects(result.resources));
  result.problems.push(...duplicateObjects(result.objects));
  result.problems.push(...explicitProviderProblems(result.resources));
  if (!options.preview) {
    for (const v of await validateObjects(result.objects)) {
      result.problems.push(`schema: ${v.object} (${v.urn}): field ${v.field} ${v.message}`);
    }
    for (const v of apiServerViolations(result.objects)) {
      result.problems.push(`api-server: ${v.object} (${v.urn}): ${v.field}: ${v.message}`);
    }
    result.podSecurity = podSecurityVerdict(result.objects);
    result.problems.push(...result.podSecurity.problems, ...result.podSecurity.violations.map(formatPodSecurityViolation));
  }
  if (options.policyConfig !== false) result.problems.push(...(await policyProblems(result, stackConfig, options)));
  result.ok = result.problems.length === 0;
  if (result.ok && stackOut) writePlan(stackOut, result);
  return result;
}

/** Every Kubernetes resource must go through the foundation's provider, never an ambient default one. */
function explicitProviderProblems(resources: readonly RecordedResource[]): string[] {
  return resources
    .filter((r) => r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:") && r.provider === null)
    .map((r) => `provider: ${r.urn} uses the default Kubernetes provider; pass the foundation's provider ({ provider })`);
}

/** Runs the policy pack; mandatory violations (and a broken policy config) are problems. */
async function policyProblems(plan: PlanResult, stackConfig: Record<string, string>, options: PlanOptions): Promise<string[]> {
  try {
    plan.policy = await checkPolicies({
      stack: plan.stack,
      resources: plan.resources,
      outputs: plan.outputs,
      stackConfig,
      preview: options.preview ?? false,
      config: options.policyConfig || undefined,
    });
  } catch (e) {
    if (e instanceof PolicyConfigError) return e.message.split("\n").map((line) => `policy config: ${line}`);
    throw e;
  }
  return plan.policy.diagnostics.filter((d) => d.level === "mandatory").map((d) => `policy ${d.policy}: ${d.urn}: ${d.message}`);
}

function writePlan(dir: string, plan: PlanResult): void {
  mkdirSync(dir, { recursive: true });
  const resources = plan.resources.map((r) => ({
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent,
    provider: r.provider,
    dependsOn: r.dependsOn,
    protect: r.protect,
    inputs: r.inputs,
  }));
  writeFileSync(join(dir, "resources.json"), `${JSON.stringify(resources, null, 2)}\n`);
  const docs = plan.objects.map(({ object }) => stringify(object, { lineWidth: 0, aliasDuplicateObjects: false }));
  writeFileSync(join(dir, "manifests.yaml"), docs.map((d) => `---\n${d}`).join(""));
}
