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

export function loadStackConfig(): StackConfig {
  return parseStackConfig(pulumi.runtime.allConfig(), stackFilePath(pulumi.getStack()));
}
