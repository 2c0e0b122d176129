// Reads the running stack's configuration through the Pulumi runtime, so the CLI and the offline
// engine (which loads the same stack file into the runtime) validate exactly the same way.
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "./parse";
import type { StackConfig } from "./schema";

export { ConfigError } from "./errors";
export type { StackConfig } from "./schema";

/** The stack file a stack's config comes from, relative to the project root. */
export function stackFilePath(stack: string): string {
  return `stacks/Pulumi.${stack}.yaml`;
}

/**
 * Whether the stack file gives `key` as a `secure:` value: what the CLI hands the program as
 * PULUMI_CONFIG_SECRET_KEYS and the offline engine through setAllConfig. @pulumi/pulumi exports
 * isConfigSecret from runtime/config.js but marks it @internal, so its typings leave it out.
 */
const isConfigSecret = (key: string): boolean => (pulumi.runtime as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret(key);

export function loadStackConfig(): StackConfig {
  const raw = pulumi.runtime.allConfig();
  return parseStackConfig(raw, stackFilePath(pulumi.getStack()), Object.keys(raw).filter(isConfigSecret));
}
