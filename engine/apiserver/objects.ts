// The API server's semantic rules per kind, beyond the OpenAPI schema, as Kubernetes 1.34 applies them
// after its defaulting. Sources: kubernetes v1.34.1 pkg/apis/{core,apps,batch,rbac}/validation,
// apimachinery v0.34.0 pkg/api/validation (ObjectMeta, names), apiextensions-apiserver v0.34.0
// pkg/apis/apiextensions/validation (validateAPIApproval) and pkg/apihelpers (IsProtectedCommunityGroup).
import { parseQuantity } from "../../modules/config/quantities";
import type { KubernetesObject } from "../manifests";
import { podSpecProblems } from "./pods";
import type { Problem } from "./problem";
import {
  configMapKey, dns1035Label, dns1123Label, dns1123Subdomain, labelValue, numberOrPortName, pathSegmentName, portNumber, qualifiedName,
} from "./syntax";

type Obj = Record<string, any>;
type Rule = (o: Obj) => Problem[];

const RBAC_GROUP = "rbac.authorization.k8s.io";

/** ValidateObjectMeta with the kind's name rule (ValidateServiceName, ValidateNamespaceName, rbac ValidateRBACName...). */
function nameRule(kind: string, apiVersion: string): (name: string) => string | undefined {
  if (apiVersion.startsWith(`${RBAC_GROUP}/`)) return pathSegmentName;
  if (kind === "Service") return dns1035Label;
  if (kind === "Namespace" || kind === "StatefulSet") return dns1123Label;
  // ValidateCronJobCreate: the controller appends an 11-character suffix to Job names.
  if (kind === "CronJob") return (name) => (name.length > 52 ? "must be no more than 52 characters" : dns1123Subdomain(name));
  return dns1123Subdomain;
}

/** apimachinery pkg/api/validation/objectmeta.go: name, namespace, labels (ValidateLabels), annotations (ValidateAnnotations). */
const metadata: Rule = (o) => {
  const out: Problem[] = [];
  const meta: Obj = o.metadata ?? {};
  if (!meta.name) out.push({ field: "metadata.name", message: "Required value: the kit never relies on generated names" });
  else {
    const bad = nameRule(o.kind, o.apiVersion)(meta.name);
    if (bad) out.push({ field: "metadata.name", message: `${JSON.stringify(meta.name)}: ${bad}` });
  }
  if (meta.namespace !== undefined) {
    const bad = dns1123Label(meta.namespace);
    if (bad) out.push({ field: "metadata.namespace", message: `${JSON.stringify(meta.namespace)}: ${bad}` });
  }
  out.push(...labelProblems(meta.labels, "metadata.labels"));
  let annotationBytes = 0;
  for (const [key, value] of Object.entries(meta.annotations ?? {})) {
    const bad = qualifiedName(key);
    if (bad) out.push({ field: `metadata.annotations[${key}]`, message: `key ${bad}` });
    annotationBytes += key.length + String(value).length;
  }
  if (annotationBytes > 256 * 1024) out.push({ field: "metadata.annotations", message: `Too long: ${annotationBytes} bytes, must have at most 262144 bytes` });
  return out;
};

function labelProblems(labels: Obj | undefined, at: string): Problem[] {
  const out: Problem[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const badKey = qualifiedName(key);
    if (badKey) out.push({ field: `${at}[${key}]`, message: `key ${badKey}` });
    const badValue = labelValue(value);
    if (badValue) out.push({ field: `${at}[${key}]`, message: `value ${JSON.stringify(value)} ${badValue}` });
  }
  return out;
}

/** apiextensions-apiserver pkg/apis/apiextensions/validation: name = plural.group; protected groups need api-approved. */
const crd: Rule = (o) => {
  const out: Problem[] = [];
  const group: string = o.spec?.group ?? "";
  const plural: string = o.spec?.names?.plural ?? "";
  if (o.metadata?.name !== `${plural}.${group}`) out.push({ field: "metadata.name", message: `must be spec.names.plural+"."+spec.group (${plural}.${group})` });
  // apihelpers.IsProtectedCommunityGroup: k8s.io, kubernetes.io and their subdomains.
  const isProtected = ["k8s.io", "kubernetes.io"].some((g) => group === g || group.endsWith(`.${g}`));
  if (isProtected) {
    const approval: unknown = o.metadata?.annotations?.["api-approved.kubernetes.io"];
    if (approval === undefined) {
      out.push({ field: "metadata.annotations[api-approved.kubernetes.io]", message: `Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111` });
    } else if (typeof approval !== "string" || !(approval.startsWith("unapproved") || isUrl(approval))) {
      out.push({ field: "metadata.annotations[api-approved.kubernetes.io]", message: `${JSON.stringify(approval)}: protected groups must have approval annotation "api-approved.kubernetes.io" with either a URL or a reason starting with "unapproved"` });
    }
  }
  const storage = (o.spec?.versions ?? []).filter((v: Obj) => v?.storage === true).length;
  if (storage !== 1) out.push({ field: "spec.versions", message: `must have exactly one version marked as storage version, found ${storage}` });
  return out;
};

function isUrl(text: string): boolean {
  try {
    return Boolean(new URL(text).host);
  } catch {
    return false;
  }
}

/** LabelSelectorAsSelector(selector).Matches(template labels), for matchLabels and matchExpressions. */
function selectorMatches(selector: Obj, labels: Obj): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const inValues = has && (e.values ?? []).includes(labels[e.key]);
    const ok = e.operator === "In" ? inValues : e.operator === "NotIn" ? !inValues : e.operator === "Exists" ? has : e.operator === "DoesNotExist" ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** apps/v1 validation (ValidateDeploymentSpec and kin): a non-empty selector that matches the template; restartPolicy Always. */
function workload(podTemplate: (o: Obj) => Obj | undefined, restartPolicies: string[], selectorRequired: boolean): Rule {
  return (o) => {
    const out: Problem[] = [];
    const template = podTemplate(o);
    const selector: Obj | undefined = o.spec?.selector;
    const empty = !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
    if (selectorRequired && empty) out.push({ field: "spec.selector", message: "Invalid value: empty selector is invalid for deployment" });
    else if (!empty && !selectorMatches(selector!, template?.metadata?.labels ?? {}))
      out.push({ field: "spec.template.metadata.labels", message: "Invalid value: `selector` does not match template `labels`" });
    out.push(...labelProblems(template?.metadata?.labels, "spec.template.metadata.labels"));
    // SetDefaults_PodSpec makes an unset restartPolicy Always, which a Job refuses.
    const policy: string = template?.spec?.restartPolicy ?? "Always";
    if (!restartPolicies.includes(policy)) {
      const supported = restartPolicies.map((p) => `"${p}"`).join(", ");
      out.push({ field: "spec.template.spec.restartPolicy", message: template?.spec?.restartPolicy ? `Unsupported value: "${policy}": supported values: ${supported}` : `Required value: valid values: ${supported}` });
    }
    out.push(...podSpecProblems(template?.spec, "spec.template.spec"));
    return out;
  };
}

const apps = workload((o) => o.spec?.template, ["Always"], true);
/** batch validation: a Job's pods restart OnFailure or Never (the selector is generated unless manualSelector). */
const jobWorkload = workload((o) => o.spec?.template, ["OnFailure", "Never"], false);
const job: Rule = (o) => {
  // Without manualSelector the server generates the selector and refuses one written by hand.
  if (!o.spec?.selector || o.spec?.manualSelector === true) return jobWorkload(o);
  const { selector: _, ...spec } = o.spec;
  return [{ field: "spec.selector", message: "Invalid value: `selector` not auto-generated: set manualSelector: true or drop the selector" }, ...jobWorkload({ ...o, spec })];
};
const cronJob: Rule = (o) => job({ spec: o.spec?.jobTemplate?.spec }).map((p) => ({ ...p, field: `spec.jobTemplate.${p.field}` }));
const pod: Rule = (o) => podSpecProblems(o.spec, "spec");

/** ValidateService: ports, their names (required when several, unique), (port, protocol) unique, targetPort syntax. */
const service: Rule = (o) => {
  const out: Problem[] = [];
  const spec: Obj = o.spec ?? {};
  const ports: Obj[] = spec.ports ?? [];
  const type = spec.type ?? "ClusterIP";
  if (type !== "ExternalName" && spec.clusterIP !== "None" && ports.length === 0) out.push({ field: "spec.ports", message: "Required value" });
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const [i, port] of ports.entries()) {
    const at = `spec.ports[${i}]`;
    if (ports.length > 1 && !port.name) out.push({ field: `${at}.name`, message: "Required value: names are required when a Service has more than one port" });
    if (port.name) {
      const bad = dns1123Label(port.name);
      if (bad) out.push({ field: `${at}.name`, message: `${JSON.stringify(port.name)}: ${bad}` });
      if (names.has(port.name)) out.push({ field: `${at}.name`, message: `Duplicate value: ${JSON.stringify(port.name)}` });
      names.add(port.name);
    }
    const badPort = portNumber(port.port);
    if (badPort) out.push({ field: `${at}.port`, message: badPort });
    const key = `${port.port}/${port.protocol ?? "TCP"}`;
    if (keys.has(key)) out.push({ field: at, message: `Duplicate value: ${key}` });
    keys.add(key);
    if (port.targetPort !== undefined) {
      const bad = numberOrPortName(port.targetPort);
      if (bad) out.push({ field: `${at}.targetPort`, message: `${JSON.stringify(port.targetPort)}: ${bad}` });
    }
  }
  out.push(...labelProblems(spec.selector, "spec.selector"));
  return out;
};

const isRbacGroup = (group: unknown) => group === undefined || group === "" || group === RBAC_GROUP;

/** pkg/apis/rbac/validation: roleRef kind and group; subjects' kinds, groups and namespaces; rules need verbs. */
function binding(clusterScoped: boolean): Rule {
  return (o) => {
    const out: Problem[] = [];
    const ref: Obj = o.roleRef ?? {};
    const kinds = clusterScoped ? ["ClusterRole"] : ["Role", "ClusterRole"];
    if (!kinds.includes(ref.kind)) out.push({ field: "roleRef.kind", message: `Unsupported value: ${JSON.stringify(ref.kind)}: supported values: ${kinds.map((k) => `"${k}"`).join(", ")}` });
    // SetDefaults: an empty roleRef.apiGroup (and a User's or Group's) becomes the RBAC group.
    if (!isRbacGroup(ref.apiGroup)) out.push({ field: "roleRef.apiGroup", message: `Unsupported value: ${JSON.stringify(ref.apiGroup)}: supported values: "${RBAC_GROUP}"` });
    if (!ref.name) out.push({ field: "roleRef.name", message: "Required value" });
    else {
      const bad = pathSegmentName(ref.name);
      if (bad) out.push({ field: "roleRef.name", message: bad });
    }
    for (const [i, s] of (o.subjects ?? []).entries()) {
      const at = `subjects[${i}]`;
      if (!s.name) out.push({ field: `${at}.name`, message: "Required value" });
      if (s.kind === "ServiceAccount") {
        if (s.apiGroup) out.push({ field: `${at}.apiGroup`, message: `Unsupported value: ${JSON.stringify(s.apiGroup)}: supported values: ""` });
        if (clusterScoped && !s.namespace) out.push({ field: `${at}.namespace`, message: "Required value" });
        if (s.name && dns1123Subdomain(s.name)) out.push({ field: `${at}.name`, message: `${JSON.stringify(s.name)}: ${dns1123Subdomain(s.name)}` });
      } else if (s.kind === "User" || s.kind === "Group") {
        if (!isRbacGroup(s.apiGroup)) out.push({ field: `${at}.apiGroup`, message: `Unsupported value: ${JSON.stringify(s.apiGroup)}: supported values: "${RBAC_GROUP}"` });
      } else out.push({ field: `${at}.kind`, message: `Unsupported value: ${JSON.stringify(s.kind)}: supported values: "ServiceAccount", "User", "Group"` });
    }
    return out;
  };
}

function role(clusterScoped: boolean): Rule {
  return (o) => {
    const out: Problem[] = [];
    for (const [i, rule] of (o.rules ?? []).entries()) {
      const at = `rules[${i}]`;
      if ((rule.verbs ?? []).length === 0) out.push({ field: `${at}.verbs`, message: "Required value: verbs must contain at least one value" });
      const urls = (rule.nonResourceURLs ?? []).length > 0;
      if (urls && !clusterScoped) out.push({ field: `${at}.nonResourceURLs`, message: "Invalid value: namespaced rules cannot apply to non-resource URLs" });
      if (urls && ((rule.resources ?? []).length > 0 || (rule.apiGroups ?? []).length > 0))
        out.push({ field: `${at}.nonResourceURLs`, message: "Invalid value: rules cannot apply to both regular resources and non-resource URLs" });
      if (!urls && (rule.resources ?? []).length === 0 && !o.aggregationRule) out.push({ field: `${at}.resources`, message: "Required value: resource rules must supply at least one resource" });
      if (!urls && rule.apiGroups === undefined && !o.aggregationRule) out.push({ field: `${at}.apiGroups`, message: "Required value: resource rules must supply at least one api group" });
    }
    return out;
  };
}

/**
 * ValidateLimitRange after SetDefaults_LimitRangeItem (Container items: default <- max, defaultRequest <-
 * default <- min): min <= defaultRequest <= default <= max per resource; non-overcommittable ones equal.
 */
const limitRange: Rule = (o) => {
  const out: Problem[] = [];
  const order = ["min", "defaultRequest", "default", "max"] as const;
  for (const [i, raw] of (o.spec?.limits ?? []).entries()) {
    const item: Record<string, Obj> = Object.fromEntries(order.map((k) => [k, { ...(raw[k] ?? {}) }]));
    if (raw.type === "Container") {
      for (const [name, max] of Object.entries(item.max)) item.default[name] ??= max;
      for (const [name, limit] of Object.entries(item.default)) item.defaultRequest[name] ??= limit;
      for (const [name, min] of Object.entries(item.min)) item.defaultRequest[name] ??= min;
    } else if (raw.type === "Pod" && (raw.default || raw.defaultRequest)) {
      out.push({ field: `spec.limits[${i}].default`, message: "Forbidden: may not be specified when `type` is 'Pod'" });
    }
    const resources = new Set(order.flatMap((k) => Object.keys(item[k])));
    for (const name of resources) {
      for (let a = 0; a < order.length; a++) {
        for (let b = a + 1; b < order.length; b++) {
          const low = parseQuantity(item[order[a]][name]);
          const high = parseQuantity(item[order[b]][name]);
          if (low !== undefined && high !== undefined && low > high)
            out.push({ field: `spec.limits[${i}].${order[a]}[${name}]`, message: `Invalid value: ${order[a]} value ${item[order[a]][name]} is greater than ${order[b]} value ${item[order[b]][name]}` });
        }
      }
      const limit = item.default[name];
      const request = item.defaultRequest[name];
      if (name.includes("/") && !name.includes("kubernetes.io/") && limit !== undefined && request !== undefined && parseQuantity(limit) !== parseQuantity(request))
        out.push({ field: `spec.limits[${i}].defaultRequest[${name}]`, message: `Invalid value: default value ${limit} must equal to defaultRequest value ${request} in ${name}` });
    }
  }
  return out;
};

/** ValidateConfigMap / ValidateSecret: data keys are IsConfigMapKey, unique across data and binaryData. */
const dataKeys: Rule = (o) => {
  const out: Problem[] = [];
  for (const field of ["data", "binaryData", "stringData"]) {
    for (const key of Object.keys(o[field] ?? {})) {
      const bad = configMapKey(key);
      if (bad || key.startsWith("..")) out.push({ field: `${field}[${key}]`, message: `Invalid value: ${JSON.stringify(key)}: a valid config key ${bad ?? "must not start with '..'"}` });
    }
  }
  return out;
};

/** admissionregistration validation: webhook names are fully qualified (a subdomain with at least three segments), unique. */
const webhooks: Rule = (o) => {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const [i, w] of (o.webhooks ?? []).entries()) {
    const name: string = w.name ?? "";
    if (dns1123Subdomain(name) || name.split(".").length < 3)
      out.push({ field: `webhooks[${i}].name`, message: `Invalid value: ${JSON.stringify(name)}: should be a domain with at least three segments separated by dots` });
    if (seen.has(name)) out.push({ field: `webhooks[${i}].name`, message: `Duplicate value: ${JSON.stringify(name)}` });
    seen.add(name);
    const port = w.clientConfig?.service?.port;
    if (port !== undefined && portNumber(port)) out.push({ field: `webhooks[${i}].clientConfig.service.port`, message: "must be between 1 and 65535, inclusive" });
  }
  return out;
};

const RULES: Record<string, Rule[]> = {
  "apiextensions.k8s.io/v1/CustomResourceDefinition": [crd],
  "apps/v1/Deployment": [apps],
  "apps/v1/StatefulSet": [apps],
  "apps/v1/DaemonSet": [apps],
  "apps/v1/ReplicaSet": [apps],
  "batch/v1/Job": [job],
  "batch/v1/CronJob": [cronJob],
  "v1/Pod": [pod],
  "v1/Service": [service],
  "v1/ConfigMap": [dataKeys],
  "v1/Secret": [dataKeys],
  "v1/LimitRange": [limitRange],
  [`${RBAC_GROUP}/v1/RoleBinding`]: [binding(false)],
  [`${RBAC_GROUP}/v1/ClusterRoleBinding`]: [binding(true)],
  [`${RBAC_GROUP}/v1/Role`]: [role(false)],
  [`${RBAC_GROUP}/v1/ClusterRole`]: [role(true)],
  "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration": [webhooks],
  "admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration": [webhooks],
};

/** Every API-server rule the object breaks (metadata rules apply to every kind). */
export function objectProblems(o: KubernetesObject): Problem[] {
  const rules = [metadata, ...(RULES[`${o.apiVersion}/${o.kind}`] ?? [])];
  return rules.flatMap((rule) => rule(o as Obj));
}
