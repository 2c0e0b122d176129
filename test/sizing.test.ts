// The capacity arithmetic (modules/config/sizing.ts) and what the plans take from it: the production
// profile both prod stacks get, replicas and disruption budgets, the system pool's taint and every
// platform pod's toleration, Argo's config checksum, the API server's client QPS in multi-user mode,
// and docs/scaling.md's tables, which must be what the module computes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { renderScalingDoc, scalingBlocks } from "../engine/scaling-doc";
import { formatSummary } from "../engine/summary";
import { loadStackFile } from "../engine/stack-file";
import { PROFILE_VALUES, SMALL_PROFILE_PARALLELISM, WORKFLOW_TTL_SECONDS } from "../modules/config/kfp";
import { parseStackConfig } from "../modules/config/parse";
import { parseQuantity } from "../modules/config/quantities";
import {
  agentWorkers,
  apiServerClientQps,
  ASSUMPTIONS,
  controllerMemoryBytes,
  reportsPerSecond,
  retainedWorkflows,
  runsWithin,
  upstreamSarRuns,
  workflowObjectsBound,
} from "../modules/config/sizing";
import { CONFIG_CHECKSUM_ANNOTATION } from "../modules/kfp/argo";
import { SYSTEM_POOL_TAINT } from "../modules/k8s/placement";
import { configProblems, findObject, multiUserLocal, ofType, REPO_ROOT, tempRoot } from "./helpers";

const LOCAL_CLUSTER = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.local.yaml"), "utf8")).config["kfp-platform:cluster"];
const configOf = (stack: string, root = REPO_ROOT) => {
  const f = loadStackFile(root, stack);
  return parseStackConfig(f.config, f.file, f.secretKeys);
};
const deployment = (plan: PlanResult, name: string) => findObject(plan, "Deployment", name) as any;
const budgets = (plan: PlanResult) => plan.objects.map((o) => o.object as any).filter((o) => o.kind === "PodDisruptionBudget");
const podTemplates = (plan: PlanResult) =>
  plan.objects
    .map((o) => o.object as any)
    .flatMap((o) =>
      ["Deployment", "StatefulSet", "Job"].includes(o.kind)
        ? [{ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec }]
        : o.kind === "CronJob"
          ? [{ owner: `CronJob ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.jobTemplate.spec.template.spec }]
          : [],
    );
const tolerates = (spec: any) => (spec.tolerations ?? []).some((t: any) => t.key === SYSTEM_POOL_TAINT.key && (t.operator === "Exists" || t.value === SYSTEM_POOL_TAINT.value) && (!t.effect || t.effect === SYSTEM_POOL_TAINT.effect));

describe("the arithmetic", () => {
  it("keeps a TTL's worth of finished Workflows per running run, and sizes memory that holds them", () => {
    const hour = retainedWorkflows(500, 3600);
    const day = retainedWorkflows(500, 86400);
    assert.equal(hour.running, 500);
    assert.ok(day.finished / hour.finished > 20, "a day's TTL keeps ~24x an hour's");
    for (const c of ["scheduledWorkflow", "persistenceAgent", "workflowController"] as const) {
      const need = controllerMemoryBytes(c, 500, 3600);
      assert.equal(runsWithin(c, need, 3600), 500, `${c}: a limit of exactly the need holds the runs`);
      assert.ok(runsWithin(c, need - 1, 3600) < 500);
      assert.ok(controllerMemoryBytes(c, 500, 86400) > 8 * need, `${c}: upstream's TTL multiplies the cache`);
    }
  });

  it("puts upstream's client QPS of 5 at the run count where reports alone spend it", () => {
    assert.ok(reportsPerSecond(upstreamSarRuns) <= 5 && reportsPerSecond(upstreamSarRuns + 1) > 5);
    const { qps, burst } = apiServerClientQps(500);
    assert.ok(qps >= reportsPerSecond(500) * ASSUMPTIONS.qpsHeadroom && burst === 2 * qps);
    assert.ok(agentWorkers(500) * (1 / ASSUMPTIONS.reportSeconds) >= reportsPerSecond(500) * ASSUMPTIONS.workerHeadroom);
  });
});

describe("profiles", () => {
  it("gives aws-prod and gcp-prod the same production sizes; dev stacks the small ones", () => {
    const sized = (stack: string) => {
      const { kfp } = configOf(stack);
      return { profile: kfp.profile, resources: kfp.resources, replicas: kfp.replicas, parallelism: kfp.argo.parallelism, agent: kfp.persistenceAgent, client: kfp.apiServerClient };
    };
    assert.deepEqual(sized("gcp-prod"), sized("aws-prod"));
    assert.deepEqual(sized("aws-prod-dr"), sized("aws-prod"));
    assert.equal(sized("aws-prod").profile, "production");
    assert.equal(sized("gcp-dev").profile, "small");
    const prod = configOf("aws-prod").kfp;
    assert.equal(prod.argo.parallelism, ASSUMPTIONS.productionRuns);
    assert.equal(prod.persistenceAgent.numWorkers, agentWorkers(prod.argo.parallelism));
    for (const c of ["scheduledWorkflow", "persistenceAgent", "workflowController"] as const) {
      const limit = parseQuantity(prod.resources[c].limits.memory)!;
      assert.ok(runsWithin(c, limit, prod.persistenceAgent.ttlSecondsAfterWorkflowFinish) >= prod.argo.parallelism, `${c} holds the cap`);
      assert.ok(limit - controllerMemoryBytes(c, prod.argo.parallelism, WORKFLOW_TTL_SECONDS) < ASSUMPTIONS.roundBytes, `${c}: no more than the arithmetic rounded up`);
    }
  });

  const prodWith = (kfp: Record<string, unknown>) => {
    const doc = parse(readFileSync(join(REPO_ROOT, "stacks/Pulumi.aws-prod.yaml"), "utf8"));
    doc.config["kfp-platform:kfp"] = kfp;
    return tempRoot({ p: stringify(doc) });
  };

  it("lets a prod stack override one key and keep the rest of its profile, or choose the small one", () => {
    const one = configOf("p", prodWith({ resources: { apiServer: { requests: { cpu: "2" } } } })).kfp;
    assert.equal(one.resources.apiServer.requests.cpu, "2");
    assert.equal(one.resources.apiServer.limits.memory, (PROFILE_VALUES.production as any).resources.apiServer.limits.memory);
    assert.equal(one.replicas.apiServer, 2);
    const small = configOf("p", prodWith({ profile: "small" })).kfp;
    assert.equal(small.replicas.apiServer, 1);
    assert.ok(small.argo.parallelism < 500);
  });

  it("refuses a cap the controllers' memory cannot hold, naming the key and the fix", () => {
    const lines = configProblems({ cluster: LOCAL_CLUSTER, kfp: { argo: { parallelism: 500 } } }, "stacks/Pulumi.x.yaml");
    const line = lines.find((l) => l.includes("scheduledWorkflow.limits.memory"));
    assert.ok(line, lines.join("\n"));
    assert.match(line!, /^stacks\/Pulumi\.x\.yaml: kfp-platform:kfp\.resources\.scheduledWorkflow\.limits\.memory: not set, so its default applies \("512Mi"\); holds \d+ concurrent runs .* below argo\.parallelism 500: set at least \d+(Mi|Gi)/);
  });
});

describe("plans", () => {
  const plans: Record<string, PlanResult> = {};
  before(async () => {
    for (const stack of ["aws-prod", "gcp-prod", "local"]) plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null, policyConfig: false });
    plans.multi = await planStack("multi", { root: tempRoot({ multi: multiUserLocal() }), outDir: null, policyConfig: false });
    plans.capped = await planStack("capped", { root: tempRoot({ capped: readFileSync(join(REPO_ROOT, "stacks/Pulumi.local.yaml"), "utf8") + '  kfp-platform:kfp:\n    argo:\n      parallelism: 40\n' }), outDir: null, policyConfig: false });
    for (const [name, plan] of Object.entries(plans)) assert.deepEqual(plan.problems, [], name);
  });

  it("runs two API servers and two Argo controllers in prod, each with a budget and spread; one of each elsewhere, without", () => {
    for (const stack of ["aws-prod", "gcp-prod"]) {
      const plan = plans[stack];
      for (const name of ["ml-pipeline", "workflow-controller"]) {
        const d = deployment(plan, name);
        assert.equal(d.spec.replicas, 2, `${stack} ${name}`);
        const pdb = budgets(plan).find((b) => b.metadata.name === name);
        assert.ok(pdb, `${stack}: ${name} has a PodDisruptionBudget`);
        assert.deepEqual(pdb.spec.selector.matchLabels, d.spec.selector.matchLabels);
        assert.equal(pdb.spec.maxUnavailable, 1);
        const keys = d.spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey);
        assert.deepEqual(keys.sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]);
      }
      assert.equal(deployment(plan, "ml-pipeline").spec.template.metadata.annotations?.["cluster-autoscaler.kubernetes.io/safe-to-evict"], undefined, "the API server leaves nodes only through its budget");
      // One replica each (no leader election in KFP 2.14.0): a budget would block every drain.
      const names = budgets(plan).map((b) => b.metadata.name).sort();
      assert.deepEqual(names, ["ml-pipeline", "workflow-controller"]);
    }
    assert.deepEqual(budgets(plans.local), [], "single replicas: no budgets");
    assert.equal(deployment(plans.local, "ml-pipeline").spec.replicas, 1);
  });

  it("prints each prod stack's derived sizes in the plan summary", () => {
    for (const stack of ["aws-prod", "gcp-prod"]) {
      const text = formatSummary(plans[stack]);
      const limit = deployment(plans[stack], "ml-pipeline-persistenceagent").spec.template.spec.containers[0].resources.limits.memory;
      assert.match(text, /\n  control plane \(sizes from docs\/scaling\.md\):\n    ml-pipeline: 2 x 1 CPU \/ 1Gi \(limit 2Gi\), disruption budget\n/);
      assert.ok(text.includes(`ml-pipeline-persistenceagent: 1 x 500m CPU / ${limit} (limit ${limit}), NUM_WORKERS=${agentWorkers(ASSUMPTIONS.productionRuns)}`), text);
    }
  });

  it("sets the sizes the arithmetic gives, in the plan", () => {
    const prod = configOf("aws-prod").kfp;
    const agent = deployment(plans["gcp-prod"], "ml-pipeline-persistenceagent").spec.template.spec.containers[0];
    assert.equal(agent.env.find((e: any) => e.name === "NUM_WORKERS").value, String(agentWorkers(prod.argo.parallelism)));
    for (const [name, key] of [["workflow-controller", "workflowController"], ["ml-pipeline-persistenceagent", "persistenceAgent"], ["ml-pipeline-scheduledworkflow", "scheduledWorkflow"]] as const) {
      const limit = parseQuantity(deployment(plans["gcp-prod"], name).spec.template.spec.containers[0].resources.limits.memory)!;
      assert.ok(limit >= controllerMemoryBytes(key, prod.argo.parallelism, WORKFLOW_TTL_SECONDS), name);
    }
  });

  it("taints the system pool on both clouds, and every platform pod tolerates it", () => {
    const groups = ofType(plans["aws-prod"], "aws:eks/nodeGroup:NodeGroup");
    for (const g of groups) {
      const taints = (g.inputs.taints ?? []) as any[];
      const system = taints.some((t) => t.key === SYSTEM_POOL_TAINT.key && t.value === SYSTEM_POOL_TAINT.value && t.effect === "NO_SCHEDULE");
      assert.equal(system, g.name.endsWith("-system"), g.name);
    }
    const pools = ofType(plans["gcp-prod"], "gcp:container/nodePool:NodePool");
    assert.ok(pools.length > 1);
    for (const p of pools) {
      const taints = ((p.inputs as any).nodeConfig.taints ?? []) as any[];
      assert.equal(taints.some((t) => t.key === SYSTEM_POOL_TAINT.key && t.effect === "NO_SCHEDULE"), (p.inputs as any).name === "system", String((p.inputs as any).name));
    }
    for (const stack of ["aws-prod", "gcp-prod", "multi"]) {
      const templates = podTemplates(plans[stack]).filter((t) => !t.owner.includes(" kube-system/") || t.owner.includes("cluster-autoscaler"));
      assert.ok(templates.length > 10);
      for (const t of templates) assert.ok(tolerates(t.spec), `${stack}: ${t.owner} does not tolerate ${SYSTEM_POOL_TAINT.key}`);
    }
    const monitoring = plans["aws-prod"].resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release" && (r.inputs as any).chart === "kube-prometheus-stack");
    const values = (monitoring?.inputs as any)?.values;
    if (values) for (const path of [values.prometheus.prometheusSpec, values.alertmanager.alertmanagerSpec, values.grafana, values.prometheusOperator, values["kube-state-metrics"]]) assert.ok(tolerates(path));
  });

  it("rolls Argo's controller when its cap changes (the throttler is built once)", () => {
    const sum = (plan: PlanResult) => deployment(plan, "workflow-controller").spec.template.metadata.annotations[CONFIG_CHECKSUM_ANNOTATION];
    assert.match(sum(plans.local), /^[0-9a-f]{64}$/);
    assert.notEqual(sum(plans.capped), sum(plans.local));
  });

  it("sizes the API server's client for SubjectAccessReviews in multi-user mode only", () => {
    const env = (plan: PlanResult) => Object.fromEntries(deployment(plan, "ml-pipeline").spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    const multi = env(plans.multi);
    const cap = Number((findObject(plans.multi, "ConfigMap", "workflow-controller-configmap") as any).data.parallelism);
    assert.equal(multi.CLIENTQPS, String(apiServerClientQps(cap).qps));
    assert.equal(multi.CLIENTBURST, String(apiServerClientQps(cap).burst));
    assert.equal(env(plans.local).CLIENTQPS, undefined);
  });
});

describe("docs/scaling.md", () => {
  it("quotes the defaults the arithmetic gives in its settings table", () => {
    const text = readFileSync(join(REPO_ROOT, "docs/scaling.md"), "utf8");
    const { qps, burst } = apiServerClientQps(ASSUMPTIONS.productionRuns);
    for (const quoted of [
      `**${ASSUMPTIONS.productionRuns}** (production), ${SMALL_PROFILE_PARALLELISM} (small)`,
      `(${qps}, ${burst} at ${ASSUMPTIONS.productionRuns})`,
      `${agentWorkers(ASSUMPTIONS.productionRuns)} at ${ASSUMPTIONS.productionRuns}, ${agentWorkers(SMALL_PROFILE_PARALLELISM)} at ${SMALL_PROFILE_PARALLELISM}`,
      `~${Math.round(reportsPerSecond(ASSUMPTIONS.productionRuns))}/s at ${ASSUMPTIONS.productionRuns} runs`,
    ])
      assert.ok(text.includes(quoted), quoted);
  });

  it("and the runbook and monitoring pages quote the alert's bound the arithmetic gives", () => {
    const bound = workflowObjectsBound(ASSUMPTIONS.productionRuns, WORKFLOW_TTL_SECONDS).toLocaleString("en-US");
    for (const page of ["docs/runbook.md", "docs/monitoring.md"]) assert.ok(readFileSync(join(REPO_ROOT, page), "utf8").includes(`${bound} at the production profile`), page);
  });

  it("holds the tables the arithmetic and the stack files give (npm run docs writes them)", () => {
    const text = readFileSync(join(REPO_ROOT, "docs/scaling.md"), "utf8");
    assert.equal(text, renderScalingDoc(text, scalingBlocks(REPO_ROOT)), "docs/scaling.md is stale: run npm run docs");
  });
});
