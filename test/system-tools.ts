// What the tests need from the machine, and how a test says it is missing: the command, the Debian
// package that brings it, and the script that installs them all. Under CI nothing may be missing.
import { spawnSync } from "node:child_process";

/** Why `command` cannot run here (naming the package to install), or undefined when it can. */
export function toolMissing(command: string, debianPackage: string, path?: string): string | undefined {
  const found = spawnSync("sh", ["-c", `command -v ${command}${path ? ` || test -x ${path}` : ""}`]).status === 0;
  return found ? undefined : `${command} is not installed (apt-get install ${debianPackage}; bash .ci/system-packages installs every one)`;
}

/** The `skip` option of a suite that needs what `missing` names: skipped with that reason, but never under CI. */
export const skipWithout = (missing: string | undefined): string | false => (!process.env.CI && missing) || false;
