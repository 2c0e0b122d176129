// The offline plan applies the Kubernetes API server's own semantic validation, the rules beyond the
// OpenAPI schemas that make a real `pulumi up` fail with 422 Invalid (see objects.ts and pods.ts for
// each rule and its source). What only a real cluster can tell is listed in the README.
import { describeObject, type RenderedObject } from "../manifests";
import { objectProblems } from "./objects";

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
