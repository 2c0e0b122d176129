// The short report `npm run plan` prints per stack: resources by component and by type, then problems.
import type { PlanResult } from "./plan";
import { gke } from "../modules/versions";
import { CONTROLLER_CONFIG } from "../modules/foundation/names";
import { ROOT_STACK_TYPE } from "./urn";
import { deployTimeLines } from "./deploy-time";
import { endDate, isoDay, pinsInUse, SUPPORT_WARN_DAYS, supportState, type PinInUse } from "../modules/facts/support";
import { createdLines, protectedLines } from "./review/created";
import { endpointLines } from "./review/endpoints";
import { costLines } from "./cost/estimate";

export interface SummaryOptions {
  /** List every name and every advisory finding instead of counts. */
  verbose?: boolean;
  /** The day the support lines count from (the real date unless a test fixes one). */
  today?: Date;
}

/** Counts of custom resources under each top-level component, and by type. */
export function countResources(plan: PlanResult): { byComponent: Map<string, number>; byType: Map<string, number> } {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const topComponent = (urn: string | null): string => {
    let current = urn ? byUrn.get(urn) : undefined;
    let top = "(stack)";
    while (current && current.type !== ROOT_STACK_TYPE) {
      if (!current.custom) top = `${current.type} ${current.name}`;
      current = current.parent ? byUrn.get(current.parent) : undefined;
    }
    return top;
  };
  const byComponent = new Map<string, number>();
  const byType = new Map<string, number>();
  for (const r of plan.resources) {
    if (!r.custom) continue;
    const component = topComponent(r.parent);
    byComponent.set(component, (byComponent.get(component) ?? 0) + 1);
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  }
  return { byComponent, byType };
}

export function formatSummary(plan: PlanResult, options: SummaryOptions = {}): string {
  const lines: string[] = [];
  if (plan.configInvalid) {
    lines.push(`stack ${plan.stack}: invalid configuration`, ...plan.problems.map((p) => `  ${p}`));
    return lines.join("\n");
  }
  const { byComponent, byType } = countResources(plan);
  const custom = plan.resources.filter((r) => r.custom).length;
  lines.push(`stack ${plan.stack}: ${custom} resources, ${plan.objects.length} Kubernetes objects`);
  lines.push("  by component:");
  for (const [component, n] of [...byComponent].sort()) lines.push(`    ${String(n).padStart(4)}  ${component}`);
  lines.push("  by type:");
  for (const [type, n] of [...byType].sort()) lines.push(`    ${String(n).padStart(4)}  ${type}`);
  lines.push(...runCapLines(plan), ...controlPlaneLines(plan), ...podSecurityLines(plan), ...alertingLines(plan), ...gkeHoldLines(plan), ...gpuPoolLines(plan), ...accessLines(plan), ...imageSourceLines(plan), ...supportLines(plan, options.today ?? new Date()), ...deployTimeLines(plan.resources));
  lines.push(...reviewLines(plan, options.verbose ?? false));
  lines.push(...policyLines(plan, options.verbose ?? false));
  if (plan.ok) lines.push(`  result: ok`);
  else lines.push(`  result: FAILED (${plan.problems.length} problems)`, ...plan.problems.map((p) => `    ${p}`));
  return lines.join("\n");
}

/** The concurrency cap Argo will apply, from the controller ConfigMap the plan renders. */
function runCapLines(plan: PlanResult): string[] {
  const config = plan.objects.find((o) => o.object.kind === "ConfigMap" && o.object.metadata.name === CONTROLLER_CONFIG)?.object as
    | { data?: Record<string, string> }
    | undefined;
  if (!config?.data) return [];
  const cap = (value: string | undefined, what: string) => (Number(value ?? 0) > 0 ? `at most ${value} ${what}` : `no cap ${what}`);
  return [`  runs: ${cap(config.data.parallelism, "running at once")}, ${cap(config.data.namespaceParallelism, "per namespace")} (Argo parallelism; more wait Pending)`];
}

/** The control plane's derived sizes (docs/scaling.md), as the plan renders them: replicas, requests, limits, budgets and knobs. */
function controlPlaneLines(plan: PlanResult): string[] {
  const sized = ["ml-pipeline", "workflow-controller", "ml-pipeline-persistenceagent", "ml-pipeline-scheduledworkflow"];
  const budgets = new Set(plan.objects.filter((o) => o.object.kind === "PodDisruptionBudget").map((o) => `${o.object.metadata.namespace}/${o.object.metadata.name}`));
  const lines: string[] = [];
  for (const name of sized) {
    const d = plan.objects.find((o) => o.object.kind === "Deployment" && o.object.metadata.name === name)?.object as any;
    if (!d) continue;
    const c = d.spec.template.spec.containers[0];
    const env = Object.fromEntries(((c.env ?? []) as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]));
    const knobs = ["NUM_WORKERS", "TTL_SECONDS_AFTER_WORKFLOW_FINISH", "CLIENTQPS", "CLIENTBURST"].filter((k) => k in env).map((k) => `${k}=${env[k]}`);
    const r = c.resources ?? {};
    lines.push(
      `    ${name}: ${d.spec.replicas ?? 1} x ${r.requests?.cpu ?? "-"} CPU / ${r.requests?.memory ?? "-"} (limit ${r.limits?.memory ?? "none"})` +
        `${budgets.has(`${d.metadata.namespace}/${name}`) ? ", disruption budget" : ""}${knobs.length > 0 ? `, ${knobs.join(" ")}` : ""}`,
    );
  }
  return lines.length > 0 ? ["  control plane (sizes from docs/scaling.md):", ...lines] : [];
}

/** Where alerts go, and a warning when nowhere: Alertmanager then drops every alert. */
function alertingLines(plan: PlanResult): string[] {
  const monitoring = plan.outputs.monitoring as { alertReceivers?: string[] } | undefined;
  if (!monitoring) return [];
  const receivers = monitoring.alertReceivers ?? [];
  return receivers.length > 0
    ? [`  alerts: to ${receivers.join(", ")}`]
    : ["  warning: alerts go nowhere: the stack names no receivers (monitoring.alerting in the stack file; docs/monitoring.md)"];
}

/**
 * What GKE can still change under a gcp stack, and until when: the channel, the build, what the kit's
 * exclusion holds (minor and nodes) and what passes it (control-plane patches), and the date GKE upgrades
 * regardless (end of support; end of extended support on the Extended channel).
 */
function gkeHoldLines(plan: PlanResult): string[] {
  return plan.resources
    .filter((r) => r.type === "gcp:container/cluster:Cluster")
    .flatMap((r) => {
      const inputs = r.inputs as {
        releaseChannel?: { channel?: string };
        minMasterVersion?: string;
        maintenancePolicy?: { maintenanceExclusions?: { exclusionName: string; startTime: string; endTime?: string; exclusionOptions?: { scope?: string; endTimeBehavior?: string } }[] };
      };
      const channel = inputs.releaseChannel?.channel ?? "UNSPECIFIED";
      const version = inputs.minMasterVersion ?? "(unpinned)";
      const exclusions = inputs.maintenancePolicy?.maintenanceExclusions ?? [];
      const hold = exclusions.find((e) => e.exclusionOptions?.scope === "NO_MINOR_OR_NODE_UPGRADES");
      const knownMinor = version === gke.version;
      const end = !knownMinor ? "the end of support of its minor (GKE release schedule)" : channel === "EXTENDED" ? `end of extended support, ${gke.endOfExtendedSupport}` : `end of standard support, ${gke.endOfStandardSupport}`;
      return [
        `  gke: ${channel} channel at ${version}; ${hold ? `exclusion ${hold.exclusionName} holds the minor and every node pool until ${hold.exclusionOptions?.endTimeBehavior === "UNTIL_END_OF_SUPPORT" ? end : hold.endTime}` : "nothing holds node or minor upgrades"}`,
        `    can still change: control-plane patches within the minor (GKE applies them in the daily window)${hold ? `; after ${end}, GKE upgrades the control plane and the nodes regardless` : ""}`,
        ...exclusions.filter((e) => e.exclusionOptions?.scope === "NO_UPGRADES").map((e) => `    no upgrades at all (patches included) from ${e.startTime} to ${e.endTime} (${e.exclusionName})`),
      ];
    });
}

/** The pins this stack's resources use, as recorded by the plan (inputs), for the support calendar. */
export function planPinsInUse(plan: Pick<PlanResult, "resources" | "outputs">): PinInUse[] {
  const drivers = ((plan.outputs.gpuPools ?? []) as { driver?: string }[]).flatMap((p) => (p.driver ? [p.driver] : []));
  return pinsInUse(
    plan.resources.filter((r) => r.custom).map((r) => ({ type: r.type, props: r.inputs as Record<string, unknown> })),
    drivers,
  );
}

/**
 * Each pin's remaining support (modules/versions.ts, with its source): a warning under SUPPORT_WARN_DAYS
 * and past the end; policy pins-supported decides whether a past end fails the stack.
 */
function supportLines(plan: PlanResult, today: Date): string[] {
  const pins = planPinsInUse(plan);
  if (pins.length === 0) return [];
  const lines = [`  support on ${isoDay(today)} (warning under ${SUPPORT_WARN_DAYS} days; dates and sources in modules/versions.ts):`];
  for (const pin of pins) {
    const { state, days } = supportState(pin, today);
    const name = `${pin.pin} ${pin.version}, ${pin.what}`;
    const s = pin.support;
    const then = s?.then ? `; then ${s.then}` : "";
    if (state === "unknown") lines.push(`    ${name}: no support calendar: ${pin.unknown}`);
    else if (state === "undated") lines.push(`    ${name}: no end date published`);
    else if (state === "supported") lines.push(`    ${name}: ${s!.phase} until ${s!.ends}, ${days} days left`);
    else if (state === "ending") lines.push(`    warning: ${name}: ${s!.phase} ends ${s!.ends}, ${days} days left${then} (${s!.source}, read ${s!.read})`);
    else {
      const allowed = plan.policy?.allowedPins.find((a) => a.pin === pin.pin && a.version === pin.version);
      const verdict = plan.policy
        ? allowed && endDate(allowed.until) > today
          ? `; ${plan.policy.configFile} allows it until ${allowed.until}: ${allowed.reason}`
          : `; ${plan.policy.configFile} does not allow it${allowed ? ` any more (its allowance ended ${allowed.until})` : ""} (policy pins-supported)`
        : "";
      lines.push(`    warning: ${name}: ${s!.phase} ended ${s!.ends}, ${-days!} days ago${then} (${s!.source}, read ${s!.read})${verdict}`);
    }
  }
  return lines;
}

/** How many pods Pod Security judged, and the namespaces judged at the API server's default. */
function podSecurityLines(plan: PlanResult): string[] {
  const v = plan.podSecurity;
  if (!v) return [];
  const assumed = v.assumedPrivileged.length > 0 ? `; not in the plan, so judged privileged (the API server's default): ${v.assumedPrivileged.join(", ")}` : "";
  return [`  pod security: ${v.judged.templates} pod templates and ${v.judged.stepPods} KFP step pods judged against their namespaces' enforce level${assumed}`];
}

/** Each GPU pool's driver and CUDA range, and for nodes the kit does not make, the command that labels them. */
function gpuPoolLines(plan: PlanResult): string[] {
  const pools = (plan.outputs.gpuPools ?? []) as { name: string; driver: string; maxCuda: string; labelCommand?: string }[];
  return pools.flatMap((p) => [
    `  gpu pool ${p.name}: NVIDIA driver ${p.driver}, CUDA up to ${p.maxCuda}`,
    ...(p.labelCommand ? [`    label its nodes (the kit does not make them): ${p.labelCommand}`] : []),
  ]);
}

/** Which registries the stack's caches serve, and the table images that bypass them with the command that mirrors each. */
function imageSourceLines(plan: PlanResult): string[] {
  const sources = plan.outputs.imageSources as
    | { registry: string; cached: { upstream: string; via: string }[]; uncached: { image: string; reason: string; pulledFrom: string; copy: string }[] }
    | undefined;
  if (!sources) return [];
  return [
    `  image caches: ${sources.cached.length > 0 ? sources.cached.map((c) => c.upstream).join(", ") : "none"} through ${sources.registry}`,
    ...(sources.uncached.length > 0 ? [`  images no cache serves (${sources.uncached.length}): pulled from where they are named; mirror them, then set cluster.imageCaches.mirrorUncached (docs/images.md)`] : []),
    ...sources.uncached.flatMap((u) => [`    ${u.image}: ${u.reason}${u.pulledFrom !== u.image ? ` (pulled from ${u.pulledFrom})` : ""}`, `      ${u.copy}`]),
  ];
}

/** Who holds cluster-admin through the kit (break-glass, audited here) and which teams get namespaces. */
function accessLines(plan: PlanResult): string[] {
  const admins = (plan.outputs.clusterAdmins ?? []) as string[];
  const teams = (plan.outputs.teams ?? []) as string[];
  return [
    ...(admins.length > 0 ? [`  cluster-admin: ${admins.join(", ")}`] : []),
    ...(teams.length > 0 ? [`  teams: ${teams.join(", ")}`] : []),
  ];
}

/** For a reviewer (learnt from `pulumi preview` and Infracost's comment): what is created by name, what is protected, what is reachable from outside and by whom, and what it costs. */
function reviewLines(plan: PlanResult, verbose: boolean): string[] {
  return [...createdLines(plan.resources, verbose), ...protectedLines(plan.resources), ...endpointLines(plan.resources), ...costLines(plan.resources, verbose)];
}

/**
 * The pack's verdict: counts, then the advisory violations (mandatory ones are listed as problems),
 * collapsed to a count per policy unless verbose, so a handful of risky lines are not buried under
 * dozens of digest reminders.
 */
function policyLines(plan: PlanResult, verbose: boolean): string[] {
  if (!plan.policy) return [];
  const { pack, configFile, diagnostics } = plan.policy;
  const count = (level: string) => diagnostics.filter((d) => d.level === level).length;
  const lines = [`  policies: ${pack} with ${configFile}: ${count("mandatory")} mandatory, ${count("advisory")} advisory violations`];
  const advisory = diagnostics.filter((x) => x.level === "advisory");
  if (verbose) {
    for (const d of advisory) lines.push(`    advisory ${d.policy}: ${d.urn}`, `      ${d.message}`);
    return lines;
  }
  const byPolicy = new Map<string, number>();
  for (const d of advisory) byPolicy.set(d.policy, (byPolicy.get(d.policy) ?? 0) + 1);
  for (const [policy, n] of [...byPolicy].sort()) lines.push(`    advisory ${policy}: ${n} finding${n === 1 ? "" : "s"} (--verbose lists them)`);
  return lines;
}
