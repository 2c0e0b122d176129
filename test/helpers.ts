// Shared test helpers: temp project roots with hand-written stack files, and the plan CLI as a user runs it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer as netServer, type AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import type { KubernetesObject } from "../engine/manifests";
import type { RecordedResource } from "../engine/harness";
import type { PlanResult } from "../engine/plan";
import { ConfigError } from "../modules/config";
import { parseStackConfig } from "../modules/config/parse";

export const REPO_ROOT = resolve(__dirname, "..");

/** A throwaway project root whose stacks/ holds the given stack files (name -> YAML text). */
export function tempRoot(stacks: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "kfp-platform-test-"));
  mkdirSync(join(root, "stacks"));
  for (const [name, text] of Object.entries(stacks)) writeFileSync(join(root, "stacks", `Pulumi.${name}.yaml`), text);
  return root;
}

/** Runs `npm run plan -- <args>` the way a user would (same Node, tsx loader) and captures the result. */
export function runPlanCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runCli("plan", args);
}

/** Runs `npm run <command> -- <args>` (engine/cli/<command>.ts) the way a user would. */
export function runCli(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, `engine/cli/${command}.ts`), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A temp project root holding one of the repository's stack files with a restore setting, so its plan holds the restore Job too. */
export function withRestore(stack: string): string {
  const text = readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8");
  return tempRoot({ [stack]: `${text.trimEnd()}\n  kfp-platform:restore: { backup: latest }\n` });
}

/** A minimal valid stack file; `extra` lines are appended under `config:`. */
export function stackYaml(extra = "", environment = "dev"): string {
  return `config:\n  kfp-platform:environment: ${environment}\n  kfp-platform:cluster:\n    target: existing\n${extra}`;
}

/** The rendered object of a kind and name. */
export function findObject(plan: PlanResult, kind: string, name: string): KubernetesObject | undefined {
  return plan.objects.map((o) => o.object).find((o) => o.kind === kind && o.metadata.name === name);
}

/** Every container (init containers too) of every workload object, with where it is. */
export function containersOf(plan: PlanResult): { owner: string; container: any }[] {
  const out: { owner: string; container: any }[] = [];
  for (const { object } of plan.objects) {
    const podSpec = (object as any).spec?.template?.spec ?? (object as any).spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])]) {
      out.push({ owner: `${object.kind} ${object.metadata.name}`, container: c });
    }
  }
  return out;
}

export const ofType = (plan: PlanResult, type: string): RecordedResource[] => plan.resources.filter((r) => r.type === type);

/** The plan's only resource of `type` (fails the test when there are none or several). */
export function one(plan: PlanResult, type: string): RecordedResource {
  const found = ofType(plan, type);
  assert.equal(found.length, 1, `one ${type}`);
  return found[0];
}

/**
 * The problems the config schema reports for `kfp-platform:` keys (values as in a stack file; objects
 * are written as JSON, `{ secure: ... }` is an encrypted value), one per line; none when it accepts
 * them. `environment` defaults to dev.
 */
export function configProblems(config: Record<string, unknown>, file: string): string[] {
  const entries = Object.entries({ environment: "dev", ...config });
  // `{ secure: ... }` is an encrypted value, as in a stack file: a secret the CLI decrypts, and one anywhere
  // inside a key's value makes the whole key secret (engine/stack-file.ts does the same).
  const secure = (v: unknown) => typeof v === "object" && v !== null && Object.keys(v).length === 1 && "secure" in v;
  const reveal = (v: unknown): unknown =>
    secure(v) ? "decrypted" : Array.isArray(v) ? v.map(reveal) : typeof v === "object" && v !== null ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)])) : v;
  const hasSecure = (v: unknown): boolean => secure(v) || (typeof v === "object" && v !== null && Object.values(v).some(hasSecure));
  const raw = Object.fromEntries(entries.map(([k, v]) => [`kfp-platform:${k}`, secure(v) ? "decrypted" : typeof v === "string" ? v : JSON.stringify(reveal(v))]));
  const secretKeys = entries.filter(([, v]) => hasSecure(v)).map(([k]) => `kfp-platform:${k}`);
  try {
    parseStackConfig(raw, file, secretKeys);
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message.split("\n");
  }
}

/** A TCP port free on 127.0.0.1 right now (for servers a test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A repository stack file switched to KFP multi-user mode (the login settings, a `secure:` client secret),
 * with `edit` applied to its parsed config before it is written back.
 */
export function multiUserStackYaml(stack: string, edit: (config: Record<string, any>) => void = () => {}): string {
  const doc = parse(readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8"));
  doc.config["kfp-platform:kfp"] = {
    ...doc.config["kfp-platform:kfp"],
    mode: "multi-user",
    multiUser: { oidc: { issuerUrl: "https://dex.example.com", clientId: "kfp" }, externalUrl: "http://localhost:8080" },
  };
  doc.config["kfp-platform:oidcClientSecret"] = { secure: "v1:abc" };
  edit(doc.config);
  return stringify(doc);
}

/** The local stack file in multi-user mode (in-cluster MySQL behind the platform's NetworkPolicies), with further `kfp-platform:kfp` keys. */
export function multiUserLocal(kfp: Record<string, unknown> = {}): string {
  return multiUserStackYaml("local", (c) => {
    c["kfp-platform:kfp"] = { ...c["kfp-platform:kfp"], ...kfp };
    // Multi-user teams need users: KFP's authorization sees no groups (modules/config/teams.ts).
    for (const team of c["kfp-platform:teams"] ?? []) if (!team.admins && !team.members && !team.viewers) team.members = [`${team.name}-lead@example.com`];
  });
}
