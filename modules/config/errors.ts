import * as pulumi from "@pulumi/pulumi";

/** One problem in a stack file: where it is and what to do about it. */
export interface ConfigProblem {
  /** The full key path as a user would write it, e.g. `kfp-platform:cluster.context`. */
  readonly key: string;
  /** One line: what was found, what is allowed, and the fix. */
  readonly message: string;
}

/**
 * Invalid stack configuration. A RunError, so the Pulumi CLI prints the message without a stack
 * trace; the offline engine prints the same lines and exits 1.
 */
export class ConfigError extends pulumi.RunError {
  constructor(
    readonly file: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(problems.map((p) => `${file}: ${p.key}: ${p.message}`).join("\n"));
    this.name = "ConfigError";
  }
}

/** The line for an error the kit did not expect while it read `keys`. */
export function unexpected(keys: readonly string[], e: unknown): ConfigProblem {
  const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
  return {
    key: keys.map((k) => `kfp-platform:${k}`).join(", "),
    message: `the kit failed while building from this value (${why}); the config schema should have refused it with a reason: check the value against docs/config.md, and report this line as a kit bug`,
  };
}
