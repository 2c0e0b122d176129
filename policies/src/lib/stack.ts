// Whole-stack views for stack policies: the stack's environment and resources by type.
import type { PolicyResource } from "@pulumi/policy";

export const ROOT_STACK = "pulumi:pulumi:Stack";

/**
 * The stack's environment (dev | staging | prod), from the `environment` output main() exports. Unknown
 * when a program exports none: callers then apply the strict rules.
 */
export function stackEnvironment(resources: PolicyResource[]): string | undefined {
  const value = resources.find((r) => r.type === ROOT_STACK)?.props.environment;
  return typeof value === "string" ? value : undefined;
}

export function ofType(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
  return resources.filter((r) => types.includes(r.type));
}
