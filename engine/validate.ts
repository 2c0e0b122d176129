// Validates every rendered Kubernetes object against the OpenAPI schema of the Kubernetes API level we
// target (kubernetes-models, generated from upstream's OpenAPI), and custom resources against the
// openAPIV3Schema of the CRD in the same plan that defines them (or, for CRDs a Helm release brings,
// against the operator's published models).
import Ajv, { type ValidateFunction } from "ajv";
import { releases } from "../modules/versions";
import { describeObject, type RenderedObject } from "./manifests";

export interface SchemaViolation {
  urn: string;
  object: string;
  /** JSON path of the offending field, e.g. `/spec/template/spec/containers/0/ports/0/containerPort`. */
  field: string;
  message: string;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** kubernetes-models module for an apiVersion: core `v1` is `kubernetes-models/v1`, others by group/version. */
async function builtInModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const mod = (await import(`kubernetes-models/${apiVersion}`)) as Record<string, unknown>;
    return mod[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

/**
 * Models of custom resources whose CRDs arrive inside a Helm release, so the plan has no CRD to read:
 * the Prometheus Operator's (@kubernetes-models/prometheus-operator 6.0.0, schemas generated from
 * operator v0.91.0; the kit installs v0.93.1, whose changes since add fields the kit does not use).
 */
const RELEASE_CRD_MODELS: Readonly<Record<string, string>> = {
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function releaseCrdModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const pkg = RELEASE_CRD_MODELS[apiVersion.split("/")[0]];
  if (!pkg) return undefined;
  try {
    const mod = (await import(`${pkg}/${apiVersion}/${kind}`)) as Record<string, unknown>;
    return mod[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

/** Ajv validators for custom resources, from the CRDs in the plan: `group/version/Kind` -> validator. */
function crdValidators(objects: readonly RenderedObject[]): Map<string, ValidateFunction> {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validators = new Map<string, ValidateFunction>();
  for (const { object } of objects) {
    if (object.kind !== "CustomResourceDefinition") continue;
    const spec = object.spec as any;
    for (const version of spec?.versions ?? []) {
      const schema = version?.schema?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true };
      validators.set(`${spec.group}/${version.name}/${spec.names.kind}`, ajv.compile(schema));
    }
  }
  return validators;
}

export async function validateObjects(objects: readonly RenderedObject[]): Promise<SchemaViolation[]> {
  const violations: SchemaViolation[] = [];
  const crds = crdValidators(objects);
  for (const { urn, object } of objects) {
    const where = { urn, object: describeObject(object) };
    const Model = (await builtInModel(object.apiVersion, object.kind)) ?? (await releaseCrdModel(object.apiVersion, object.kind));
    if (Model) {
      try {
        new Model(object).validate();
      } catch (e) {
        const errors = (e as { errors?: { instancePath: string; message?: string }[] }).errors;
        for (const err of errors ?? [{ instancePath: "", message: String(e) }]) {
          violations.push({ ...where, field: err.instancePath || "/", message: err.message ?? "is invalid" });
        }
      }
      continue;
    }
    const crd = crds.get(`${object.apiVersion}/${object.kind}`);
    if (!crd) {
      violations.push({
        ...where,
        field: "/apiVersion",
        message: `${object.apiVersion} ${object.kind} is neither in the Kubernetes ${releases.kubernetesApi.version} API nor defined by a CRD in this plan`,
      });
      continue;
    }
    if (!crd(object)) {
      for (const err of crd.errors ?? []) violations.push({ ...where, field: err.instancePath || "/", message: err.message ?? "is invalid" });
    }
  }
  return violations;
}
