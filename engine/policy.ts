// The plan's policy step: the pack in policies/, configured from policies/config/<environment>.json (the
// file a user passes to `pulumi preview --policy-pack-config`), run over the recorded stack.
import { readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { ENVIRONMENTS, PROJECT } from "../modules/config/schema";
import type { RecordedResource } from "./harness";
import { parsePolicyPackConfig, PolicyConfigError, reconcilePolicyPackConfig } from "./policy-config";
import { loadPolicyPack, type PolicyDiagnostic } from "./policy-runner";
import type { Json } from "./serialize";

export const POLICY_PACK_DIR = resolve(__dirname, "../policies");

export interface PolicyCheck {
  pack: string;
  /** The config file used, relative to the repository. */
  configFile: string;
  diagnostics: PolicyDiagnostic[];
  /** Pins the config allows past their end (policy pins-supported's `allow`), for the plan's support lines. */
  allowedPins: { pin: string; version: string; reason: string; until: string }[];
}

/** `dev`, `staging` or `prod` picks policies/config/<env>.json; anything else is a path to a config file. */
export function policyConfigPath(configOrEnvironment: string): string {
  if ((ENVIRONMENTS as readonly string[]).includes(configOrEnvironment)) return join(POLICY_PACK_DIR, "config", `${configOrEnvironment}.json`);
  return isAbsolute(configOrEnvironment) ? configOrEnvironment : resolve(configOrEnvironment);
}

/**
 * The environment's config for a stack: its `kfp-platform:environment`, and prod's (the strictest) when
 * the stack names none.
 */
export function environmentOf(stackConfig: Record<string, string>): string {
  const environment = stackConfig[`${PROJECT}:environment`];
  return (ENVIRONMENTS as readonly string[]).includes(environment) ? environment : "prod";
}

export async function checkPolicies(args: {
  stack: string;
  resources: readonly RecordedResource[];
  outputs: Record<string, Json>;
  stackConfig: Record<string, string>;
  preview: boolean;
  /** Environment name or config file; default: the stack's environment. */
  config?: string;
}): Promise<PolicyCheck> {
  const file = policyConfigPath(args.config ?? environmentOf(args.stackConfig));
  const shown = relative(resolve(POLICY_PACK_DIR, ".."), file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new PolicyConfigError(`${shown}: cannot read the policy config file`);
  }
  const pack = await loadPolicyPack(POLICY_PACK_DIR);
  const given = parsePolicyPackConfig(text, shown);
  // The CLI silently ignores names it has no policy for; a typo here would silently disable nothing.
  const unknown = Object.keys(given).filter((name) => name !== "all" && !pack.policies.some((p) => p.name === name));
  if (unknown.length > 0) throw new PolicyConfigError(`${shown}: no policy named ${unknown.join(", ")} in ${pack.name}`);
  let config;
  try {
    config = reconcilePolicyPackConfig(pack.policies, pack.initialConfig, given);
  } catch (e) {
    if (e instanceof PolicyConfigError) throw new PolicyConfigError(e.message.split("\n").map((line) => `${shown}: ${line}`).join("\n"));
    throw e;
  }
  const diagnostics = await pack.analyze(
    config,
    { stack: args.stack, project: PROJECT, resources: args.resources, outputs: args.outputs, preview: args.preview },
    args.stackConfig,
  );
  const allow = given["pins-supported"]?.properties?.allow;
  const allowedPins = Array.isArray(allow) ? (allow as PolicyCheck["allowedPins"]) : [];
  return { pack: `${pack.name}@${pack.version}`, configFile: shown, diagnostics, allowedPins };
}
