// The 11 CustomResourceDefinitions of KFP 2.14.0's cluster-scoped resources: Argo Workflows v3.6.7's
// "minimal" CRDs (namespaced install), KFP's ScheduledWorkflow and Viewer, and app.k8s.io Application.
// Names, groups, scopes, versions and short names are upstream's. Schemas are structural and open
// (x-kubernetes-preserve-unknown-fields), as Argo's minimal CRDs are; where upstream ships a full schema
// (Application, WorkflowTaskResult, WorkflowEventBinding, WorkflowArtifactGCTask) we keep only its
// required fields, so the API server accepts everything upstream's does.
import * as k8s from "@pulumi/kubernetes";

type Shape =
  /** `spec` (and `status`) are opaque objects; listed top-level fields required. */
  | { kind: "spec"; status: boolean; required: string[] }
  /** The whole object is opaque (resources whose fields sit at the top level, or full upstream schemas). */
  | { kind: "open"; required: string[] };

interface CrdFact {
  group: string;
  kind: string;
  plural: string;
  version: string;
  scope: "Namespaced" | "Cluster";
  shortNames?: string[];
  categories?: string[];
  statusSubresource?: boolean;
  /** Upstream declares `subresources: {}` (no status subresource) on Workflow. */
  emptySubresources?: boolean;
  shape: Shape;
  printerColumns?: k8s.types.input.apiextensions.v1.CustomResourceColumnDefinition[];
  /** Upstream's CRD annotations. */
  annotations?: Record<string, string>;
}

const argo = (kind: string, plural: string, shortNames: string[] | undefined, shape: Shape, extra: Partial<CrdFact> = {}): CrdFact => ({
  group: "argoproj.io",
  kind,
  plural,
  version: "v1alpha1",
  scope: "Namespaced",
  shortNames,
  shape,
  ...extra,
});
const specOnly: Shape = { kind: "spec", status: false, required: ["metadata", "spec"] };
const specAndStatus: Shape = { kind: "spec", status: true, required: ["metadata", "spec"] };

export const KFP_CRDS: readonly CrdFact[] = [
  {
    group: "app.k8s.io",
    kind: "Application",
    plural: "applications",
    version: "v1beta1",
    scope: "Namespaced",
    shortNames: ["app"],
    categories: ["all"],
    statusSubresource: true,
    // app.k8s.io is a protected group (*.k8s.io): the API server refuses a v1 CRD in it without this
    // annotation. Value as upstream's third-party/application CRD carries it (kubernetes-sigs/application).
    annotations: {
      "api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/application/pull/2",
      "controller-gen.kubebuilder.io/version": "v0.4.0",
    },
    shape: { kind: "open", required: [] },
    printerColumns: [
      { name: "Type", type: "string", jsonPath: ".spec.descriptor.type", description: "The type of the application" },
      { name: "Version", type: "string", jsonPath: ".spec.descriptor.version", description: "The creation date" },
      { name: "Owner", type: "boolean", jsonPath: ".spec.addOwnerRef", description: "The application object owns the matched resources" },
      { name: "Ready", type: "string", jsonPath: ".status.componentsReady", description: "Numbers of components ready" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "The creation date" },
    ],
  },
  argo("ClusterWorkflowTemplate", "clusterworkflowtemplates", ["clusterwftmpl", "cwft"], specOnly, { scope: "Cluster" }),
  argo("CronWorkflow", "cronworkflows", ["cwf", "cronwf"], specAndStatus),
  {
    group: "kubeflow.org",
    kind: "ScheduledWorkflow",
    plural: "scheduledworkflows",
    version: "v1beta1",
    scope: "Namespaced",
    shortNames: ["swf"],
    shape: { kind: "spec", status: true, required: ["spec", "status"] },
  },
  {
    group: "kubeflow.org",
    kind: "Viewer",
    plural: "viewers",
    version: "v1beta1",
    scope: "Namespaced",
    shortNames: ["vi"],
    shape: { kind: "spec", status: false, required: ["spec"] },
  },
  argo("WorkflowArtifactGCTask", "workflowartifactgctasks", ["wfat"], { kind: "open", required: ["metadata", "spec"] }, { statusSubresource: true }),
  argo("WorkflowEventBinding", "workfloweventbindings", ["wfeb"], { kind: "open", required: ["metadata", "spec"] }),
  argo("Workflow", "workflows", ["wf"], specAndStatus, {
    emptySubresources: true,
    printerColumns: [
      { name: "Status", type: "string", jsonPath: ".status.phase", description: "Status of the workflow" },
      { name: "Age", type: "date", format: "date-time", jsonPath: ".status.startedAt", description: "When the workflow was started" },
      {
        name: "Message",
        type: "string",
        jsonPath: ".status.message",
        description: "Human readable message indicating details about why the workflow is in this condition.",
      },
    ],
  }),
  // Task results carry message/outputs/phase/progress at the top level, not under spec.
  argo("WorkflowTaskResult", "workflowtaskresults", undefined, { kind: "open", required: ["metadata"] }),
  argo("WorkflowTaskSet", "workflowtasksets", ["wfts"], specAndStatus, { statusSubresource: true }),
  argo("WorkflowTemplate", "workflowtemplates", ["wftmpl"], specOnly),
];

const opaque = { type: "object", "x-kubernetes-map-type": "atomic", "x-kubernetes-preserve-unknown-fields": true };

/**
 * The schema with the API server's own `x-kubernetes-*` field names. The SDK types spell them
 * `x_kubernetes_*`; we send the names Kubernetes defines, as a CRD applied from YAML would.
 */
function schemaOf(shape: Shape): k8s.types.input.apiextensions.v1.JSONSchemaProps {
  return openApiSchema(shape) as k8s.types.input.apiextensions.v1.JSONSchemaProps;
}

function openApiSchema(shape: Shape): Record<string, unknown> {
  const base = { apiVersion: { type: "string" }, kind: { type: "string" }, metadata: { type: "object" } };
  if (shape.kind === "open") {
    return { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: base, ...(shape.required.length ? { required: shape.required } : {}) };
  }
  return {
    type: "object",
    properties: { ...base, spec: opaque, ...(shape.status ? { status: opaque } : {}) },
    required: shape.required,
  };
}

/** The object body of one CRD. */
export function crdSpec(fact: CrdFact): k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec {
  return {
    group: fact.group,
    scope: fact.scope,
    names: {
      kind: fact.kind,
      listKind: `${fact.kind}List`,
      plural: fact.plural,
      singular: fact.kind.toLowerCase(),
      ...(fact.shortNames ? { shortNames: fact.shortNames } : {}),
      ...(fact.categories ? { categories: fact.categories } : {}),
    },
    versions: [
      {
        name: fact.version,
        served: true,
        storage: true,
        schema: { openAPIV3Schema: schemaOf(fact.shape) },
        ...(fact.statusSubresource ? { subresources: { status: {} } } : fact.emptySubresources ? { subresources: {} } : {}),
        ...(fact.printerColumns ? { additionalPrinterColumns: fact.printerColumns } : {}),
      },
    ],
  };
}
