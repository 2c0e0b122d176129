// The offline plan applies the Kubernetes API server's own semantic validation, the rules beyond the
// OpenAPI schemas that make a real `pulumi up` fail with 422 Invalid (see objects.ts and pods.ts for
// each rule and its source), and Pod Security Admission (pod-security.ts) to every pod template and to
// the pods KFP and Argo create for pipeline steps. What only a real cluster can tell is listed in the README.
import { describeObject, type RenderedObject } from "../manifests";
import { kfpStepPods } from "../step-pods";
import { objectProblems } from "./objects";
import { enforcedLevel, evaluatePod, type PodSecurityLevel, type PodSecurityResult } from "./pod-security";

export interface ApiServerViolation {
  urn: string;
  /** `Kind namespace/name`. */
  object: string;
  field: string;
  message: string;
}

export function apiServerViolations(objects: readonly RenderedObject[]): ApiServerViolation[] {
  return objects.flatMap(({ urn, object }) =>
    objectProblems(object).map((p) => ({ urn, object: describeObject(object), field: p.field, message: p.message })),
  );
}

type Obj = Record<string, any>;

/** A pod the plan creates or starts, with the template Pod Security judges (admission/admission.go:112-150). */
export interface JudgedPod {
  readonly urn: string;
  /** `Deployment kubeflow/ml-pipeline`, or `KFP step pod executor (...)`. */
  readonly what: string;
  readonly namespace: string;
  readonly metadata: Obj | undefined;
  readonly spec: Obj;
}

/** DefaultPodSpecExtractor.ExtractPodSpec (admission.go:112-135): the kinds that carry a pod template, and where. */
function podTemplate(o: Obj): Obj | undefined {
  switch (o.kind) {
    case "Pod":
      return o;
    case "PodTemplate":
      return o.template;
    case "ReplicationController":
    case "ReplicaSet":
    case "Deployment":
    case "DaemonSet":
    case "StatefulSet":
    case "Job":
      return o.spec?.template;
    case "CronJob":
      return o.spec?.jobTemplate?.spec?.template;
    default:
      return undefined;
  }
}

/** Every pod template in the plan, then the step pods of every namespace where KFP runs pipelines. */
export function judgedPods(objects: readonly RenderedObject[]): JudgedPod[] {
  const templates = objects.flatMap(({ urn, object }) => {
    const t = podTemplate(object as Obj);
    return t?.spec ? [{ urn, what: `pod template of ${describeObject(object)}`, namespace: object.metadata.namespace ?? "default", metadata: t.metadata, spec: t.spec }] : [];
  });
  const steps = kfpStepPods(objects).map((p) => ({ urn: p.urn, what: `KFP step pod ${p.role} (${p.source})`, namespace: p.namespace, metadata: p.metadata, spec: p.spec }));
  return [...templates, ...steps];
}

export interface PodSecurityViolation extends PodSecurityResult {
  readonly urn: string;
  readonly what: string;
  readonly namespace: string;
  readonly level: PodSecurityLevel;
}

export interface PodSecurityVerdict {
  readonly violations: PodSecurityViolation[];
  /** How many pods were judged: pod templates of plan objects, and KFP step pods. */
  readonly judged: { templates: number; stepPods: number };
  /** Namespaces with pods but no Namespace object in the plan: judged at the server's default, privileged. */
  readonly assumedPrivileged: string[];
  /** What the plan cannot judge (a pinned older policy version). */
  readonly problems: string[];
}

/** Judges every pod against its namespace's enforced level, from the Namespace objects' labels in the plan. */
export function podSecurityVerdict(objects: readonly RenderedObject[]): PodSecurityVerdict {
  const namespaces = new Map(objects.filter((o) => o.object.kind === "Namespace").map((o) => [o.object.metadata.name as string, o]));
  const violations: PodSecurityViolation[] = [];
  const pods = judgedPods(objects);
  const assumed = new Set<string>();
  const problems = new Set<string>();
  for (const pod of pods) {
    const ns = namespaces.get(pod.namespace);
    if (!ns) assumed.add(pod.namespace);
    const { level, problem } = enforcedLevel(ns?.object.metadata.labels);
    if (problem) problems.add(`pod-security: Namespace ${pod.namespace} (${ns!.urn}): ${problem}`);
    for (const r of evaluatePod(level, pod.metadata, pod.spec)) violations.push({ ...r, urn: pod.urn, what: pod.what, namespace: pod.namespace, level });
  }
  const stepPods = pods.filter((p) => p.what.startsWith("KFP step pod")).length;
  return { violations, judged: { templates: pods.length - stepPods, stepPods }, assumedPrivileged: [...assumed].sort(), problems: [...problems] };
}

/** One line per failing check: what, where, the level and the check, then the server's reason and detail. */
export function formatPodSecurityViolation(v: PodSecurityViolation): string {
  return `pod-security: ${v.what} in namespace ${v.namespace} (${v.urn}): violates PodSecurity "${v.level}:latest": check ${v.check}: ${v.reason} (${v.detail})`;
}
