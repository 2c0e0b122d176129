// The GitHub Actions workflows (.github/workflows): valid for GitHub's own parser, every action pinned to
// a full commit SHA with its release tag beside it, least-privilege permissions, and the behaviour each
// workflow promises (dev before prod, drift with --expect-no-changes, one updated PR comment, one drift
// issue per stack), down to running their inline scripts against fakes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { ANSWER_FILES } from "../engine/freshness";
import { eks, releases } from "../modules/versions";
import { REPO_ROOT } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";

const WORKFLOWS_DIR = join(REPO_ROOT, ".github/workflows");
const WORKFLOWS = ["pull-request.yml", "deploy.yml", "drift.yml", "e2e.yml", "freshness.yml"];

type Any = any;
const load = (file: string): Any => parse(readFileSync(join(WORKFLOWS_DIR, file), "utf8"));
const job = (file: string, id: string): Any => {
  const j = load(file).jobs[id];
  assert.ok(j, `${file}: no job ${id}`);
  return j;
};
const stepsUsing = (j: Any, action: string): Any[] => (j.steps as Any[]).filter((s) => String(s.uses ?? "").startsWith(`${action}@`));
const runText = (j: Any): string => (j.steps as Any[]).map((s) => s.run ?? "").join("\n");
const stepNamed = (j: Any, pattern: RegExp): Any => {
  const s = (j.steps as Any[]).find((st) => pattern.test(st.name ?? "") || pattern.test(st.id ?? ""));
  assert.ok(s, `no step matching ${pattern}`);
  return s;
};

/** Validates a workflow with @actions/workflow-parser (GitHub's schema, expression contexts, cron) and returns its errors. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import("@actions/workflow-parser");
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return errors.length > 0 ? errors : [`${name}: nothing parsed`];
  const template = await convertWorkflowTemplate(parsed.context, parsed.value);
  return [...new Set([...errors, ...(template.errors ?? []).map((e) => e.Message)])];
}

const PINNED_USES = /^\s*(?:-\s+)?uses:\s+([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(?:\/[^@\s]+)?)@([0-9a-f]{40})\s+#\s+(v\d+\.\d+\.\d+)\s*$/;

/** Every `uses:` line that is not `owner/repo@<40 hex> # vX.Y.Z`, as "file:line: text". */
function unpinnedUses(path: string, label = path): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line, i) => ({ line, n: i + 1 }))
    .filter(({ line }) => /^\s*(-\s+)?uses:/.test(line) && !PINNED_USES.test(line))
    .map(({ line, n }) => `${label}:${n}: ${line.trim()}`);
}

/** action -> "sha # tag" for every pinned `uses:` line of a file. */
function pins(path: string): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const m = PINNED_USES.exec(line);
    if (m) out.set(m[1], new Set([...(out.get(m[1]) ?? []), `${m[2]} # ${m[3]}`]));
  }
  return out;
}

/** Every `uses` value in a parsed workflow (job-level reusable workflows and steps). */
function allUses(wf: Any): string[] {
  return Object.values(wf.jobs as Record<string, Any>).flatMap((j) => [...(j.uses ? [j.uses] : []), ...((j.steps ?? []) as Any[]).filter((s) => s.uses).map((s) => s.uses)]);
}

/** The environment (dev|staging|prod) of each stack file. */
function stackEnvironments(): Map<string, string> {
  const dir = join(REPO_ROOT, "stacks");
  return new Map(
    readdirSync(dir)
      .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
      .map((f) => [f.replace(/^Pulumi\.|\.yaml$/g, ""), parse(readFileSync(join(dir, f), "utf8")).config["kfp-platform:environment"] as string]),
  );
}
/**
 * DR stacks: they rebuild from another stack's copies (database.restoreFrom) and are brought up by hand
 * in a disaster (docs/disaster-recovery.md); until then they have no cloud state to preview or check.
 */
function isDisasterRecoveryStack(stack: string): boolean {
  const config = parse(readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config;
  return config["kfp-platform:database"]?.restoreFrom !== undefined;
}
/** The stack's cluster target. */
const targetOf = (stack: string): string => parse(readFileSync(join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`), "utf8")).config["kfp-platform:cluster"]?.target;
/**
 * AWS stacks (all but the Kind/`local` stack, DR stacks and GCP stacks): the ones CI previews, deploys and
 * checks with its AWS roles. GCP stacks are not wired into the workflows yet (no Workload Identity
 * Federation step); docs/gcp.md says so.
 */
const cloudStacks = () => [...stackEnvironments().keys()].filter((s) => targetOf(s) === "aws" && !isDisasterRecoveryStack(s)).sort();

/** The `STACKS` table of a workflow's cloud-stacks job. */
function stackTable(file: string): { stack: string; env: string; role_var: string }[] {
  return JSON.parse(job(file, "cloud-stacks").steps[0].env.STACKS);
}

const pulumiSdkVersion = (): string => JSON.parse(readFileSync(join(REPO_ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")).version;

/** Runs a step's `run:` script as GitHub does (bash --noprofile --norc -eo pipefail FILE). */
function runStep(script: string, env: Record<string, string>, cwd: string) {
  const file = join(cwd, "step.sh");
  writeFileSync(file, script);
  return spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", file], { cwd, env: { ...process.env, ...env }, encoding: "utf8" });
}
const jqMissing = toolMissing("jq", "jq");
const python = skipWithout(toolMissing("python3", "python3"));

// --- actions/github-script, run against an in-memory GitHub ------------------------------------------

interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: { type: string };
  html_url: string;
}
interface FakeIssue {
  number: number;
  title: string;
  body: string;
  state: string;
  labels: string[];
  comments: string[];
}
class FakeGitHub {
  comments: FakeComment[] = [];
  issues: FakeIssue[] = [];
  labels = new Set<string>();
  calls: string[] = [];
  private next = 100;
  readonly rest = {
    issues: {
      listComments: async (p: Any) => ({ data: this.comments.filter((c) => c.issue_number === p.issue_number) }),
      createComment: async (p: Any) => {
        this.calls.push("createComment");
        const issue = this.issues.find((i) => i.number === p.issue_number);
        if (issue) {
          issue.comments.push(p.body);
          return { data: { id: this.next++ } };
        }
        const c = { id: this.next++, issue_number: p.issue_number, body: p.body, user: { type: "Bot" }, html_url: "https://example.test/c" };
        this.comments.push(c);
        return { data: c };
      },
      updateComment: async (p: Any) => {
        this.calls.push("updateComment");
        const c = this.comments.find((x) => x.id === p.comment_id);
        assert.ok(c, `updateComment of unknown comment ${p.comment_id}`);
        c.body = p.body;
        return { data: c };
      },
      getLabel: async (p: Any) => {
        if (!this.labels.has(p.name)) throw Object.assign(new Error("Not Found"), { status: 404 });
        return { data: { name: p.name } };
      },
      createLabel: async (p: Any) => {
        this.calls.push("createLabel");
        this.labels.add(p.name);
        return { data: { name: p.name } };
      },
      listForRepo: async (p: Any) => ({ data: this.issues.filter((i) => i.state === p.state && (!p.labels || i.labels.includes(p.labels))) }),
      create: async (p: Any) => {
        this.calls.push("create");
        const issue = { number: this.next++, title: p.title, body: p.body, state: "open", labels: p.labels ?? [], comments: [] };
        this.issues.push(issue);
        return { data: issue };
      },
      update: async (p: Any) => {
        this.calls.push("update");
        const issue = this.issues.find((i) => i.number === p.issue_number);
        assert.ok(issue, `update of unknown issue ${p.issue_number}`);
        Object.assign(issue, p.body === undefined ? {} : { body: p.body }, p.state === undefined ? {} : { state: p.state });
        return { data: issue };
      },
    },
  };
  paginate = async (fn: (p: Any) => Promise<{ data: Any[] }>, params: Any) => (await fn(params)).data;
}

const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;

/** Runs a github-script `script:` the way the action does: an async function of github, context, core, require, process. */
async function runGithubScript(script: string, github: FakeGitHub, context: Any, env: Record<string, string>): Promise<string[]> {
  const logs: string[] = [];
  const core = { info: (m: string) => logs.push(m), warning: (m: string) => logs.push(m), setFailed: (m: string) => logs.push(`failed: ${m}`) };
  await new AsyncFunction("github", "context", "core", "require", "process", script)(github, context, core, require, { env });
  return logs;
}
const baseContext = { repo: { owner: "acme", repo: "kfp" }, serverUrl: "https://github.com", runId: 42, sha: "0123456789abcdef", ref: "refs/heads/main" };

// --- the tests -----------------------------------------------------------------------------------------

describe("workflows: GitHub's parser and pinning", () => {
  it("has exactly the five workflows", () => {
    assert.deepEqual(readdirSync(WORKFLOWS_DIR).sort(), [...WORKFLOWS].sort());
  });

  for (const file of WORKFLOWS) {
    it(`${file} has no errors for @actions/workflow-parser`, async () => {
      assert.deepEqual(await workflowErrors(file, readFileSync(join(WORKFLOWS_DIR, file), "utf8")), []);
    });
  }

  it("the parser does report mistakes (so zero errors above means something)", async () => {
    const broken = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    env:\n      X: ${{ runner.temp }}\n    steps:\n      - run: echo\n        bogus: 1\n";
    const errors = await workflowErrors("broken.yml", broken);
    assert.ok(errors.some((e) => /Unrecognized named-value: 'runner'/.test(e)), errors.join("\n"));
    assert.ok(errors.some((e) => /Unexpected value 'bogus'/.test(e)), errors.join("\n"));
  });

  it("pins every `uses:` to owner/repo@<40 hex> with a `# vX.Y.Z` comment", () => {
    for (const file of WORKFLOWS) {
      const path = join(WORKFLOWS_DIR, file);
      assert.deepEqual(unpinnedUses(path, file), []);
      const uses = allUses(load(file));
      assert.ok(uses.length > 0, `${file}: no actions`);
      for (const u of uses) assert.match(u, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[^@]+)?@[0-9a-f]{40}$/, `${file}: ${u}`);
      // The line scan saw every `uses` the YAML holds (none hidden in flow style).
      const lines = readFileSync(path, "utf8").split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l)).length;
      assert.equal(lines, uses.length, `${file}: uses: lines vs parsed uses`);
    }
  });

  it("pins each action to one SHA and tag across all workflows", () => {
    const merged = new Map<string, Set<string>>();
    for (const file of WORKFLOWS) for (const [action, set] of pins(join(WORKFLOWS_DIR, file))) merged.set(action, new Set([...(merged.get(action) ?? []), ...set]));
    for (const [action, set] of merged) assert.equal(set.size, 1, `${action} pinned differently: ${[...set].join(", ")}`);
    assert.deepEqual([...merged.keys()].sort(), [
      "actions/checkout",
      "actions/github-script",
      "actions/setup-node",
      "aws-actions/configure-aws-credentials",
      "google-github-actions/auth",
      "helm/kind-action",
      "pulumi/actions",
    ]);
  });

  it("fails on an unpinned, short-SHA or untagged action (checked on edited copies in a temp dir)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-workflows-"));
    try {
      const original = readFileSync(join(WORKFLOWS_DIR, "pull-request.yml"), "utf8");
      const line = original.split("\n").findIndex((l) => /uses: actions\/checkout@/.test(l)) + 1;
      const edits: [string, string, RegExp][] = [
        ["tag.yml", original.replace(/actions\/checkout@[0-9a-f]{40} # v\d+\.\d+\.\d+/, "actions/checkout@v7"), /actions\/checkout@v7/],
        ["branch.yml", original.replace(/actions\/checkout@[0-9a-f]{40}/, "actions/checkout@main"), /actions\/checkout@main/],
        ["short.yml", original.replace(/actions\/checkout@([0-9a-f]{7})[0-9a-f]{33}/, "actions/checkout@$1"), /actions\/checkout@[0-9a-f]{7} #/],
        ["untagged.yml", original.replace(/(actions\/checkout@[0-9a-f]{40}) # v\d+\.\d+\.\d+/, "$1"), /actions\/checkout@[0-9a-f]{40}$/],
      ];
      for (const [name, text, expected] of edits) {
        assert.notEqual(text, original, `${name}: the edit did not apply`);
        copyFileSync(join(WORKFLOWS_DIR, "pull-request.yml"), join(dir, name));
        writeFileSync(join(dir, name), text);
        const found = unpinnedUses(join(dir, name), name);
        assert.equal(found.length, 1, `${name}: ${found.join("; ")}`);
        assert.match(found[0], new RegExp(`^${name.replace(".", "\\.")}:${line}: `));
        assert.match(found[0], expected);
        // Still a valid workflow: pinning is this test's rule, not GitHub's.
        assert.deepEqual(await workflowErrors(name, text), []);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("installs the Pulumi CLI of the SDK's own version wherever pulumi/actions runs", () => {
    for (const file of WORKFLOWS) {
      for (const j of Object.values(load(file).jobs as Record<string, Any>)) {
        for (const s of stepsUsing(j, "pulumi/actions")) assert.equal(s.with["pulumi-version"], pulumiSdkVersion(), `${file}: ${s.name ?? s.uses}`);
      }
    }
  });

  it("uses Node 22 and no credential-persisting checkout", () => {
    for (const file of WORKFLOWS) {
      for (const [id, j] of Object.entries(load(file).jobs as Record<string, Any>)) {
        for (const s of stepsUsing(j, "actions/setup-node")) assert.equal(s.with["node-version"], "22", `${file} ${id}`);
        for (const s of stepsUsing(j, "actions/checkout")) assert.equal(s.with?.["persist-credentials"], false, `${file} ${id}`);
      }
    }
  });
});

describe("workflows: permissions", () => {
  const WRITE_SCOPES: Record<string, Record<string, string[]>> = {
    "pull-request.yml": { "plan-diff": ["pull-requests"], preview: ["id-token", "pull-requests"] },
    "deploy.yml": { dev: ["id-token"], prod: ["id-token"] },
    "drift.yml": { drift: ["id-token", "issues"] },
    "freshness.yml": { freshness: ["id-token", "issues"] },
    "e2e.yml": {},
  };

  for (const file of WORKFLOWS) {
    it(`${file}: nothing at workflow level, every job its own least-privilege set`, () => {
      const wf = load(file);
      assert.deepEqual(wf.permissions, {}, "workflow-level permissions must be {}");
      for (const [id, j] of Object.entries(wf.jobs as Record<string, Any>)) {
        assert.equal(typeof j.permissions, "object", `${id}: permissions must be an explicit map`);
        const writes = Object.entries(j.permissions as Record<string, string>).filter(([, v]) => v === "write").map(([k]) => k).sort();
        assert.deepEqual(writes, WRITE_SCOPES[file][id] ?? [], `${id}: write scopes`);
        for (const [scope, level] of Object.entries(j.permissions as Record<string, string>)) {
          assert.ok(level === "write" || (scope === "contents" && level === "read"), `${id}: ${scope}: ${level}`);
        }
        // id-token: write exactly where AWS credentials come from OIDC.
        assert.equal(j.permissions["id-token"] === "write", stepsUsing(j, "aws-actions/configure-aws-credentials").length > 0, `${id}: id-token`);
        if ((j.steps as Any[]).some((s) => s.uses)) assert.equal(j.permissions.contents, "read", `${id}: contents: read to check out`);
      }
    });
  }
});

describe("pull-request.yml", () => {
  it("runs on pull requests only", () => {
    assert.deepEqual(Object.keys(load("pull-request.yml").on), ["pull_request"]);
  });

  it("runs .ci/run as root (its apt-get, and MariaDB started with --user=root), keeping Node 22 on PATH", () => {
    const j = job("pull-request.yml", "test");
    assert.equal(runText(j).trim(), 'sudo -E env "PATH=$PATH" bash .ci/run');
    assert.equal(stepsUsing(j, "actions/setup-node")[0].with["node-version"], "22");
  });

  it("plans every stack (no stack named), each with its own environment's policy config", () => {
    assert.match(runText(job("pull-request.yml", "plan")), /npm ci .*&& npm run plan$/m);
  });

  it("computes the plan diff against origin/<base branch> with the full history", () => {
    const j = job("pull-request.yml", "plan-diff");
    assert.equal(stepsUsing(j, "actions/checkout")[0].with["fetch-depth"], 0);
    const diff = stepNamed(j, /^diff$/);
    assert.equal(diff.env.BASE_REF, "${{ github.base_ref }}");
    assert.match(diff.run, /npm run --silent diff -- "origin\/\$BASE_REF" >"\$RUNNER_TEMP\/plan-diff\.md"/);
    assert.doesNotMatch(diff.run, /\$\{\{/, "no expression interpolated into the script");
  });

  it("the diff step records the exit status and the Markdown even when the plan fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-plan-diff-"));
    try {
      const fakeNpm = join(dir, "npm");
      writeFileSync(fakeNpm, '#!/usr/bin/env bash\necho "$*" >"$RUNNER_TEMP/npm-args"\necho "## Offline plan diff"\necho "boom" >&2\nexit 1\n');
      chmodSync(fakeNpm, 0o755);
      const env = { PATH: `${dir}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_OUTPUT: join(dir, "out"), GITHUB_STEP_SUMMARY: join(dir, "summary"), BASE_REF: "main" };
      const r = runStep(stepNamed(job("pull-request.yml", "plan-diff"), /^diff$/).run, env, dir);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(readFileSync(join(dir, "npm-args"), "utf8").trim(), "run --silent diff -- origin/main");
      assert.equal(readFileSync(join(dir, "out"), "utf8"), "status=1\n");
      assert.match(readFileSync(join(dir, "summary"), "utf8"), /## Offline plan diff/);
      assert.match(r.stderr, /boom/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("posts ONE comment, found again by its hidden marker and updated on later pushes", async () => {
    const j = job("pull-request.yml", "plan-diff");
    const [step] = stepsUsing(j, "actions/github-script");
    assert.match(step.if, /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/, "forks (read-only token) skip the comment");
    const script: string = step.with.script;
    assert.match(script, /<!-- kfp-platform:plan-diff -->/);
    const dir = mkdtempSync(join(tmpdir(), "kfp-comment-"));
    try {
      const gh = new FakeGitHub();
      gh.comments.push({ id: 1, issue_number: 7, body: "a person quoting <!-- kfp-platform:plan-diff -->", user: { type: "User" }, html_url: "" });
      const context = { ...baseContext, payload: { pull_request: { number: 7, head: { sha: "abcdef0123456789" } } } };
      const env = { DIFF_FILE: join(dir, "d.md"), DIFF_ERR: join(dir, "d.err"), DIFF_STATUS: "0" };

      writeFileSync(env.DIFF_FILE, "## Offline plan diff: first\n");
      writeFileSync(env.DIFF_ERR, "");
      await runGithubScript(script, gh, context, env);
      writeFileSync(env.DIFF_FILE, "## Offline plan diff: second\n");
      await runGithubScript(script, gh, context, { ...env, DIFF_STATUS: "1" });
      writeFileSync(env.DIFF_FILE, "## Offline plan diff: third\n```\n" + "x".repeat(70_000) + "\n```\n");
      await runGithubScript(script, gh, context, env);

      assert.deepEqual(gh.calls, ["createComment", "updateComment", "updateComment"]);
      const bot = gh.comments.filter((c) => c.user.type === "Bot");
      assert.equal(bot.length, 1);
      assert.equal(gh.comments.find((c) => c.id === 1)!.body, "a person quoting <!-- kfp-platform:plan-diff -->", "a person's comment is never edited");
      assert.match(bot[0].body, /^<!-- kfp-platform:plan-diff -->\n## Offline plan diff: third/);
      assert.ok(bot[0].body.length < 65_536, `body of ${bot[0].body.length} characters`);
      assert.match(bot[0].body, /truncated/);
      assert.equal((bot[0].body.match(/```/g) ?? []).length % 2, 0, "code fences stay balanced");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("previews each cloud stack with pulumi/actions, its policy config and comment-on-pr, only with a backend and a role", () => {
    const j = job("pull-request.yml", "preview");
    assert.deepEqual(j.needs, ["plan", "cloud-stacks"]);
    assert.equal(j.if, "needs.cloud-stacks.outputs.stacks != '[]'");
    assert.equal(j.strategy.matrix.include, "${{ fromJSON(needs.cloud-stacks.outputs.stacks) }}");
    const [aws] = stepsUsing(j, "aws-actions/configure-aws-credentials");
    assert.equal(aws.with["role-to-assume"], "${{ vars[matrix.role_var] }}");
    const [pulumi] = stepsUsing(j, "pulumi/actions");
    assert.equal(pulumi.with.command, "preview");
    assert.equal(pulumi.with["stack-name"], "${{ matrix.stack }}");
    assert.equal(pulumi.with["comment-on-pr"], true);
    assert.equal(pulumi.with.policyPacks, "policies");
    assert.equal(pulumi.with.policyPackConfigs, "policies/config/${{ matrix.env }}.json");
    assert.equal(pulumi.with["cloud-url"], "${{ vars.PULUMI_BACKEND_URL }}");
    const pick = job("pull-request.yml", "cloud-stacks");
    assert.match(pick.if, /head\.repo\.full_name == github\.repository/);
    assert.equal(pick.steps[0].env.BACKEND, "${{ vars.PULUMI_BACKEND_URL }}");
  });
});

/** Jobs of workflows that pull requests trigger (their code is the pull request's own). */
function pullRequestJobs(): { file: string; id: string; job: Any }[] {
  return WORKFLOWS.flatMap((file) => {
    const wf = load(file);
    const on = typeof wf.on === "string" ? [wf.on] : Array.isArray(wf.on) ? wf.on : Object.keys(wf.on);
    if (!on.some((event: string) => event === "pull_request" || event === "pull_request_target")) return [];
    return Object.entries(wf.jobs as Record<string, Any>).map(([id, job]) => ({ file, id, job }));
  });
}
/** The environment a pull request's job that touches production must run in: required reviewers, and the only subject the prod preview role trusts. */
const PROD_PREVIEW_ENVIRONMENT = "production-preview";

/**
 * Where a pull request's jobs reach for production: a prod role variable (AWS_*_ROLE_ARN_PROD) named
 * anywhere in the job, or a stack table row of environment prod, outside a job that runs in the
 * production-preview environment. A job's matrix fed by another job's table counts as that table's.
 */
function prodOutsideReviewedEnvironment(jobs: { file: string; id: string; job: Any }[]): string[] {
  const problems: string[] = [];
  for (const { file, id, job } of jobs) {
    const environment = job.environment?.name ?? job.environment;
    if (environment === PROD_PREVIEW_ENVIRONMENT) continue;
    const text = JSON.stringify(job);
    for (const role of new Set(text.match(/AWS_[A-Z_]*ROLE_ARN_PROD\w*/g) ?? [])) problems.push(`${file} ${id}: names ${role}`);
    for (const step of (job.steps ?? []) as Any[]) {
      const table = step.env?.STACKS;
      if (!table) continue;
      for (const row of JSON.parse(table) as { stack: string; env: string }[]) if (row.env === "prod") problems.push(`${file} ${id}: stack table lists ${row.stack} (prod)`);
    }
  }
  return problems;
}

describe("pull requests and production", () => {
  it("no job a pull request triggers reaches for a prod role or stack outside the production-preview environment", () => {
    const jobs = pullRequestJobs();
    assert.ok(jobs.some(({ file }) => file === "pull-request.yml"), "pull-request.yml is found as a pull-request workflow");
    assert.deepEqual(prodOutsideReviewedEnvironment(jobs), []);
  });

  it("the check catches a prod role, a prod stack row, and accepts them inside production-preview", () => {
    const roleJob = { steps: [{ uses: "aws-actions/configure-aws-credentials@x", with: { "role-to-assume": "${{ vars.AWS_READ_ROLE_ARN_PROD }}" } }] };
    const tableJob = { steps: [{ env: { STACKS: JSON.stringify([{ stack: "aws-dev", env: "dev", role_var: "AWS_READ_ROLE_ARN_DEV" }, { stack: "aws-prod", env: "prod", role_var: "X" }]) } }] };
    assert.deepEqual(
      prodOutsideReviewedEnvironment([
        { file: "pr.yml", id: "a", job: roleJob },
        { file: "pr.yml", id: "b", job: tableJob },
        { file: "pr.yml", id: "c", job: { ...roleJob, environment: PROD_PREVIEW_ENVIRONMENT } },
        { file: "pr.yml", id: "d", job: { ...tableJob, environment: { name: PROD_PREVIEW_ENVIRONMENT } } },
      ]),
      ["pr.yml a: names AWS_READ_ROLE_ARN_PROD", "pr.yml b: stack table lists aws-prod (prod)"],
    );
  });

  it("docs/ci.md trusts the prod read role for main alone, never for pull requests", () => {
    const ci = readFileSync(join(REPO_ROOT, "docs/ci.md"), "utf8");
    const section = ci.slice(ci.indexOf("**Read role, prod**"), ci.indexOf("```", ci.indexOf("```", ci.indexOf("**Read role, prod**")) + 3));
    assert.match(section, /"token\.actions\.githubusercontent\.com:sub": "repo:ACME\/kfp-platform:ref:refs\/heads\/main"/);
    assert.doesNotMatch(section, /pull_request/);
  });
});

describe("cloud stack tables (pull-request.yml, drift.yml, deploy.yml)", () => {
  it("cover every cloud stack (pull requests every non-prod one), each with its stack file's environment", () => {
    const envs = stackEnvironments();
    for (const file of ["pull-request.yml", "drift.yml"]) {
      const table = stackTable(file);
      const expected = file === "pull-request.yml" ? cloudStacks().filter((s) => envs.get(s) !== "prod") : cloudStacks();
      assert.deepEqual(table.map((t) => t.stack).sort(), expected, file);
      for (const t of table) {
        assert.equal(t.env, envs.get(t.stack), `${file}: ${t.stack}`);
        assert.ok(existsSync(join(REPO_ROOT, "policies/config", `${t.env}.json`)), `${file}: policies/config/${t.env}.json`);
        assert.equal(t.role_var, `AWS_READ_ROLE_ARN_${t.env.toUpperCase()}`, `${file}: ${t.stack}`);
      }
    }
    const deployed = ["dev", "prod"].flatMap((id) => job("deploy.yml", id).strategy.matrix.include as { stack: string; env: string }[]);
    assert.deepEqual(deployed.map((d) => d.stack).sort(), cloudStacks());
    for (const d of deployed) assert.equal(d.env, envs.get(d.stack), `deploy.yml: ${d.stack}`);
  });

  it("the cloud-stacks step keeps only stacks whose role variable is set, and none without a backend", { skip: skipWithout(jqMissing) }, () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-stacks-"));
    try {
      for (const file of ["pull-request.yml", "drift.yml"]) {
        const step = job(file, "cloud-stacks").steps[0];
        const run = (backend: string, vars: Record<string, string>) => {
          const out = join(dir, "out");
          writeFileSync(out, "");
          const r = runStep(step.run, { STACKS: step.env.STACKS, BACKEND: backend, VARS: JSON.stringify(vars), GITHUB_OUTPUT: out }, dir);
          assert.equal(r.status, 0, r.stderr);
          return { stacks: JSON.parse(readFileSync(out, "utf8").replace(/^stacks=/, "")), stdout: r.stdout };
        };
        const some = run("s3://state", { AWS_READ_ROLE_ARN_DEV: "arn:aws:iam::111111111111:role/read", OTHER: "x" });
        assert.deepEqual(some.stacks, [{ stack: "aws-dev", env: "dev", role_var: "AWS_READ_ROLE_ARN_DEV" }], file);
        assert.deepEqual(run("", { AWS_READ_ROLE_ARN_DEV: "arn", AWS_READ_ROLE_ARN_PROD: "arn" }).stacks, [], file);
        const all = run("s3://state", { AWS_READ_ROLE_ARN_DEV: "a", AWS_READ_ROLE_ARN_PROD: "b" }).stacks;
        assert.deepEqual(all.map((t: Any) => t.stack), file === "drift.yml" ? ["aws-dev", "aws-prod"] : ["aws-dev"], file);
        if (file === "drift.yml") assert.match(some.stdout, /::notice::aws-prod: no repository variable AWS_READ_ROLE_ARN_PROD/);
        assert.match(run("s3://state", {}).stdout, /::notice::aws-dev: no repository variable AWS_READ_ROLE_ARN_DEV/, file);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("deploy.yml", () => {
  it("runs on pushes to main only", () => {
    assert.deepEqual(load("deploy.yml").on, { push: { branches: ["main"] } });
  });

  it("serialises deployments per environment, so a prod approval pending never holds dev back", () => {
    assert.equal(load("deploy.yml").concurrency, undefined, "a run-wide group would hold every later push behind a pending prod approval");
    for (const [name, environment] of [["dev", "development"], ["prod", "production"]]) {
      const j = job("deploy.yml", name);
      assert.equal(j.environment?.name ?? j.environment, environment);
      assert.deepEqual(j.concurrency, { group: `deploy-${environment}`, "cancel-in-progress": false }, name);
    }
  });

  it("gives every deploy job credentials that outlast it: the job's timeout is below the role session", () => {
    for (const name of ["dev", "prod"]) {
      const j = job("deploy.yml", name);
      const [credentials] = stepsUsing(j, "aws-actions/configure-aws-credentials");
      const session = Number(credentials.with["role-duration-seconds"]);
      assert.ok(Number(j["timeout-minutes"]) * 60 < session, `${name}: ${j["timeout-minutes"]} min against a ${session} s session`);
      assert.ok(session <= 43200, "IAM allows at most 12 h");
    }
  });

  it("deploys dev first, then prod behind the production environment", () => {
    const dev = job("deploy.yml", "dev");
    const prod = job("deploy.yml", "prod");
    assert.equal(dev.needs, undefined);
    assert.deepEqual([prod.needs].flat(), ["dev"]);
    assert.equal(prod.environment?.name ?? prod.environment, "production");
    assert.notEqual(dev.environment?.name ?? dev.environment, "production");
    assert.deepEqual(dev.strategy.matrix.include.map((m: Any) => m.env), ["dev"]);
    assert.deepEqual(prod.strategy.matrix.include.map((m: Any) => m.env), ["prod"]);
    assert.match(dev.if, /vars\.PULUMI_BACKEND_URL != ''/);
    assert.match(prod.if, /vars\.AWS_DEPLOY_ROLE_ARN_PROD != ''/);
  });

  for (const [id, role] of [["dev", "AWS_DEPLOY_ROLE_ARN_DEV"], ["prod", "AWS_DEPLOY_ROLE_ARN_PROD"]]) {
    it(`${id}: OIDC role, pulumi up with the policy pack, outputs to the step summary`, () => {
      const j = job("deploy.yml", id);
      const [aws] = stepsUsing(j, "aws-actions/configure-aws-credentials");
      assert.equal(aws.with["role-to-assume"], `\${{ vars.${role} }}`);
      assert.equal(aws.with["aws-access-key-id"], undefined);
      const [pulumi] = stepsUsing(j, "pulumi/actions");
      assert.equal(pulumi.with.command, "up");
      assert.equal(pulumi.with.policyPacks, "policies");
      assert.equal(pulumi.with.policyPackConfigs, "policies/config/${{ matrix.env }}.json");
      const steps = j.steps as Any[];
      assert.ok(steps.indexOf(aws) < steps.indexOf(pulumi), "credentials before pulumi up");
      const summary = stepNamed(j, /outputs to the run summary/);
      assert.ok(steps.indexOf(summary) > steps.indexOf(pulumi));
      assert.match(summary.run, /pulumi stack output --json --stack "\$STACK"/);
      assert.match(summary.run, />>"\$GITHUB_STEP_SUMMARY"/);
    });
  }
});

describe("drift.yml", () => {
  it("runs nightly and by hand", () => {
    const on = load("drift.yml").on;
    assert.deepEqual(Object.keys(on).sort(), ["schedule", "workflow_dispatch"]);
    assert.match(on.schedule[0].cron, /^\d+ \d+ \* \* \*$/);
  });

  it("refreshes, then previews with --expect-no-changes and the stack's policy config", () => {
    const j = job("drift.yml", "drift");
    const refresh = stepNamed(j, /pulumi refresh/);
    const preview = stepNamed(j, /^preview$/);
    const steps = j.steps as Any[];
    assert.ok(steps.indexOf(refresh) < steps.indexOf(preview));
    assert.match(refresh.run, /pulumi refresh --yes --stack "\$STACK"/);
    assert.match(preview.run, /pulumi preview --expect-no-changes --diff --stack "\$STACK"/);
    assert.match(preview.run, /--policy-pack policies --policy-pack-config "policies\/config\/\$POLICY_ENV\.json"/);
    assert.equal(j.env.POLICY_ENV, "${{ matrix.env }}");
    assert.equal(stepsUsing(j, "aws-actions/configure-aws-credentials")[0].with["role-to-assume"], "${{ vars[matrix.role_var] }}");
    assert.equal(job("drift.yml", "cloud-stacks").if, "github.ref == 'refs/heads/main'", "only main's code is what was deployed");
  });

  it("tells drift from a clean stack and from an error", () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-drift-"));
    try {
      const fake = join(dir, "pulumi");
      writeFileSync(
        fake,
        [
          "#!/usr/bin/env bash",
          'echo "$*" >>"$RUNNER_TEMP/pulumi-args"',
          'case "$FAKE" in',
          '  clean) echo "Resources: 120 unchanged"; exit 0 ;;',
          '  drift) echo "~ aws:s3/bucketV2:BucketV2 data update [diff: ~tags]"; echo "error: no changes were expected but changes were proposed" >&2; exit 7 ;;',
          '  drift-reworded) echo "error: the preview proposed changes" >&2; exit 7 ;;',
          // The old message with another exit code: a program error that happens to mention changes is no drift.
          '  error-worded-like-drift) echo "error: no changes were expected but changes were proposed; then the program failed" >&2; exit 1 ;;',
          '  *) echo "error: failed to load credentials" >&2; exit 3 ;;',
          "esac",
          "",
        ].join("\n"),
      );
      chmodSync(fake, 0o755);
      const preview = stepNamed(job("drift.yml", "drift"), /^preview$/);
      for (const [mode, expected] of [["clean", "clean"], ["drift", "drift"], ["drift-reworded", "drift"], ["error-worded-like-drift", "error"], ["error", "error"]]) {
        const env = { PATH: `${dir}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_OUTPUT: join(dir, `out-${mode}`), GITHUB_STEP_SUMMARY: join(dir, "summary"), STACK: "aws-dev", POLICY_ENV: "dev", FAKE: mode };
        const r = runStep(preview.run, env, dir);
        assert.equal(r.status, 0, `${mode}: ${r.stderr}`);
        assert.match(readFileSync(env.GITHUB_OUTPUT, "utf8"), new RegExp(`^result=${expected}$`, "m"), mode);
      }
      assert.match(readFileSync(join(dir, "pulumi-args"), "utf8"), /^preview --expect-no-changes --diff --stack aws-dev .*--policy-pack policies --policy-pack-config policies\/config\/dev\.json$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("opens one issue per stack, updates it on later nights and closes it when clean", async () => {
    const j = job("drift.yml", "drift");
    const [step] = stepsUsing(j, "actions/github-script");
    const script: string = step.with.script;
    const dir = mkdtempSync(join(tmpdir(), "kfp-drift-issue-"));
    try {
      const gh = new FakeGitHub();
      const output = join(dir, "preview.txt");
      const night = async (stack: string, result: string, text: string) => {
        writeFileSync(output, text);
        await runGithubScript(script, gh, baseContext, { STACK: stack, RESULT: result, PREVIEW_OUTPUT: output });
      };
      await night("aws-dev", "clean", "");
      assert.equal(gh.issues.length, 0, "a clean night with no issue does nothing");
      await night("aws-dev", "drift", "\x1b[32m~ bucket tags\x1b[0m\nerror: no changes were expected but changes were proposed");
      await night("aws-dev", "drift", "~ bucket tags and versioning");
      await night("aws-prod", "drift", "- node group deleted by hand");
      assert.equal(gh.issues.length, 2, "one issue per stack");
      const dev = gh.issues.find((i) => i.title === "Drift in stack aws-dev")!;
      assert.ok(dev, gh.issues.map((i) => i.title).join(", "));
      assert.deepEqual(dev.labels, ["drift"]);
      assert.ok(gh.labels.has("drift"));
      assert.match(dev.body, /<!-- kfp-platform:drift:aws-dev -->/);
      assert.match(dev.body, /bucket tags and versioning/, "updated with the latest diff");
      assert.doesNotMatch(dev.body, /\x1b\[/, "no terminal colour codes");
      await night("aws-dev", "clean", "");
      assert.equal(dev.state, "closed");
      assert.match(dev.comments.at(-1)!, /No drift in `aws-dev`/);
      assert.equal(gh.issues.find((i) => i.title === "Drift in stack aws-prod")!.state, "open");
      await night("aws-dev", "drift", "~ again");
      assert.equal(gh.issues.filter((i) => i.title === "Drift in stack aws-dev" && i.state === "open").length, 1, "new drift after a close opens a new issue");
      assert.deepEqual(gh.calls.filter((c) => c === "createLabel"), ["createLabel"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("e2e.yml and e2e/", () => {
  it("runs by hand and weekly", () => {
    assert.deepEqual(Object.keys(load("e2e.yml").on).sort(), ["schedule", "workflow_dispatch"]);
  });

  it("makes a Kind cluster the local stack's context points at, from a digest-pinned node image", () => {
    const j = job("e2e.yml", "kind");
    const [kind] = stepsUsing(j, "helm/kind-action");
    const local = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.local.yaml"), "utf8")).config["kfp-platform:cluster"];
    assert.equal(`kind-${kind.with.cluster_name}`, local.context);
    assert.match(kind.with.node_image, /^kindest\/node:v\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$/);
    assert.match(kind.with.version, /^v\d+\.\d+\.\d+$/);
  });

  it("pulumi up -s local on a local backend with the policy pack, the pipeline, then pulumi destroy", () => {
    const j = job("e2e.yml", "kind");
    assert.equal(j.env.STACK, "local");
    const up = stepNamed(j, /^up$/);
    assert.match(up.run, /pulumi login --local/);
    assert.match(up.run, /pulumi up --stack "\$STACK" --yes .*\\\n\s+--policy-pack policies --policy-pack-config policies\/config\/dev\.json/);
    assert.equal(stackEnvironments().get("local"), "dev");
    const steps = j.steps as Any[];
    const e2e = steps.find((s) => s.run === "bash e2e/run.sh");
    assert.ok(e2e, "runs bash e2e/run.sh");
    const destroy = stepNamed(j, /pulumi destroy/);
    assert.match(destroy.run, /pulumi destroy --stack "\$STACK" --yes/);
    assert.match(destroy.if, /^always\(\)/);
    assert.ok(steps.indexOf(up) < steps.indexOf(e2e) && steps.indexOf(e2e) < steps.indexOf(destroy));
  });

  it("pins the KFP SDK line of the deployed backend and every other requirement exactly", () => {
    const reqs = readFileSync(join(REPO_ROOT, "e2e/requirements.txt"), "utf8")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#"));
    for (const r of reqs) assert.match(r, /^[A-Za-z0-9_.-]+==[A-Za-z0-9_.+-]+$/, r);
    const pin = (name: string) => reqs.find((r) => r.startsWith(`${name}==`))?.split("==")[1];
    const backend = releases.kfp.version;
    const minor = backend.split(".").slice(0, 2).join(".");
    assert.ok(pin("kfp")?.startsWith(`${minor}.`), `kfp ${pin("kfp")} is not the ${minor} SDK line of backend ${backend}`);
    assert.equal(pin("kfp-pipeline-spec"), backend, "the IR contract with the backend");
    assert.equal(pin("kfp-server-api"), backend, "the REST client generated from the backend");
    assert.ok(pin("boto3"));
  });

  it("e2e/pipeline.py has two components handing a Dataset from Output to Input, and e2e/run.sh parses", () => {
    const py = readFileSync(join(REPO_ROOT, "e2e/pipeline.py"), "utf8");
    assert.equal((py.match(/^@dsl\.component\(/gm) ?? []).length, 2);
    assert.match(py, /def producer\(payload: str, dataset: Output\[Dataset\]\)/);
    assert.match(py, /def consumer\(payload: str, dataset: Input\[Dataset\]\)/);
    assert.match(py, /dataset=made\.outputs\[OUTPUT_NAME\]/);
    const sh = spawnSync("bash", ["-n", join(REPO_ROOT, "e2e/run.sh")], { encoding: "utf8" });
    assert.equal(sh.status, 0, sh.stderr);
    const run = readFileSync(join(REPO_ROOT, "e2e/run.sh"), "utf8");
    assert.match(run, /port-forward svc\/ml-pipeline /);
    assert.match(run, /port-forward svc\/minio-service /);
    assert.match(run, /pipeline\.py" run /);
    assert.match(run, /pipeline\.py" check-artifact /);
  });

  it("e2e/pipeline.py is valid Python", { skip: python }, () => {
    const r = spawnSync("python3", ["-c", "import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])", join(REPO_ROOT, "e2e/pipeline.py")], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
  });

  // KFP 2.14's compiler writes each pipeline parameter's default unescaped into the YAML comment header;
  // a default with a line break ends the comment and the SDK's own read-back of the file fails
  // (ScannerError) before any run is submitted.
  const header = (file: string): Record<string, string> => {
    const r = spawnSync("python3", [join(REPO_ROOT, "test/fixtures/pipeline_header.py"), file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  it("e2e/pipeline.py compiles to a header that is still YAML comments (no parameter default breaks a line)", { skip: python }, () => {
    const headers = header(join(REPO_ROOT, "e2e/pipeline.py"));
    assert.deepEqual(Object.keys(headers), ["e2e_pipeline"]);
    for (const [name, text] of Object.entries(headers)) {
      const stray = text.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
      assert.deepEqual(stray, [], `${name}'s compiled header has lines YAML would read as content`);
      assert.deepEqual(parse(`${text}pipelineInfo: {name: x}\n`), { pipelineInfo: { name: "x" } });
    }
  });

  it("the header check catches a multi-line default, the mistake that broke the e2e run", { skip: python }, () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-header-"));
    const file = join(dir, "p.py");
    writeFileSync(file, 'from kfp import dsl\nPAYLOAD = "a\\nb"\n@dsl.pipeline(name="p")\ndef p(payload: str = PAYLOAD, n: int = 3):\n    pass\n');
    const text = header(file).p;
    assert.equal(text, "# Inputs:\n#    n: int [Default: 3]\n#    payload: str [Default: 'a\nb']\n");
    assert.throws(() => parse(`${text}pipelineInfo: {name: x}\n`));
  });
});

describe("freshness.yml", () => {
  const j = () => job("freshness.yml", "freshness");

  it("runs weekly and by hand, on main only", () => {
    const wf = load("freshness.yml");
    assert.deepEqual(Object.keys(wf.on).sort(), ["schedule", "workflow_dispatch"]);
    assert.match(wf.on.schedule[0].cron, /^\d+ \d+ \* \* \d$/);
    assert.match(j().if, /github\.ref == 'refs\/heads\/main'/);
  });

  it("asks each question into the file engine/freshness.ts reads, for the pinned minor and add-ons", () => {
    const text = runText(j());
    for (const file of [ANSWER_FILES.gkeServerConfig, ANSWER_FILES.rdsEngineVersions, ANSWER_FILES.cloudSqlFlags]) assert.ok(text.includes(`$answers/${file}`), file);
    assert.ok(text.includes(`$answers/${ANSWER_FILES.eksAddon("$addon")}`));
    assert.ok(text.includes(`$answers/${ANSWER_FILES.ami("$type" as "nvidia")}`));
    assert.match(text, /aws ssm get-parameter --name "\/aws\/service\/eks\/optimized-ami\/\$EKS_MINOR\/amazon-linux-2023\/x86_64\/\$type\/recommended"/);
    assert.match(text, /gcloud container get-server-config --project "\$GCP_PROJECT" --location "\$GCP_REGION" --format json/);
    // The questions come from the table: the CLI prints the minor and the add-ons for $GITHUB_OUTPUT.
    const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "engine/cli/freshness.ts"), "--questions"], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(r.stdout, `eks_minor=${eks.kubernetesVersion}\neks_addons=${Object.keys(eks.addons).join(" ")}\n`);
  });

  it("asks a cloud only when its role or identity is configured", () => {
    const steps = j().steps as Any[];
    for (const s of steps.filter((st) => /ask AWS/.test(st.name ?? "") || String(st.uses ?? "").startsWith("aws-actions/"))) assert.equal(s.if, "env.AWS_ROLE != ''");
    for (const s of steps.filter((st) => /ask Google/.test(st.name ?? "") || String(st.uses ?? "").startsWith("google-github-actions/"))) assert.match(s.if, /env\.GCP_PROVIDER != ''/);
  });

  it("tells fresh from stale from an error by the CLI's exit code", () => {
    const dir = mkdtempSync(join(tmpdir(), "kfp-freshness-"));
    try {
      const fake = join(dir, "npm");
      writeFileSync(fake, ["#!/usr/bin/env bash", 'body="${@: -1}"', 'echo "<!-- kfp-platform:freshness -->" >"$body"', 'exit "$FAKE"', ""].join("\n"));
      chmodSync(fake, 0o755);
      const compare = stepNamed(j(), /^compare$/);
      for (const [code, expected] of [["0", "fresh"], ["3", "stale"], ["1", null]] as const) {
        const env = { PATH: `${dir}:${process.env.PATH}`, RUNNER_TEMP: dir, GITHUB_OUTPUT: join(dir, `out-${code}`), GITHUB_STEP_SUMMARY: join(dir, "summary"), FAKE: code };
        const r = runStep(compare.run, env, dir);
        if (expected === null) assert.notEqual(r.status, 0, "an error fails the job");
        else {
          assert.equal(r.status, 0, r.stderr);
          assert.match(readFileSync(env.GITHUB_OUTPUT, "utf8"), new RegExp(`^result=${expected}$`, "m"));
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("opens one issue, updates it while stale and closes it when fresh", async () => {
    const [step] = stepsUsing(j(), "actions/github-script");
    const script: string = step.with.script;
    const dir = mkdtempSync(join(tmpdir(), "kfp-freshness-issue-"));
    try {
      const gh = new FakeGitHub();
      const body = join(dir, "freshness.md");
      const week = async (result: string, text: string) => {
        writeFileSync(body, text);
        await runGithubScript(script, gh, baseContext, { RESULT: result, BODY: body });
      };
      await week("fresh", "<!-- kfp-platform:freshness -->\nnothing");
      assert.equal(gh.issues.length, 0);
      await week("stale", "<!-- kfp-platform:freshness -->\n- `eks.amiRelease`: newer");
      await week("stale", "<!-- kfp-platform:freshness -->\n- `gke.version`: gone");
      assert.equal(gh.issues.length, 1);
      const [issue] = gh.issues;
      assert.deepEqual(issue.labels, ["pins"]);
      assert.match(issue.body, /gke\.version/);
      assert.doesNotMatch(issue.body, /eks\.amiRelease/);
      await week("fresh", "<!-- kfp-platform:freshness -->\nnothing");
      assert.equal(issue.state, "closed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
