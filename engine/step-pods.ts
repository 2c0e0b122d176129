// The pods KFP 2.14.0 and Argo Workflows v3.6.7 create for a pipeline step, shaped from the plan's own
// objects (the API server's env, the workflow controller's flags and ConfigMap), so the plan can judge
// them like any pod template: no plan object holds them, yet every run needs them admitted.
//
// A v2 container step is two pods, built by Argo's createWorkflowPod
// (argo-workflows v3.6.7 workflow/controller/workflowpod.go:83-400) from KFP's compiled templates:
//   - the driver: template `system-container-driver` (kubeflow/pipelines 2.14.0
//     backend/src/v2/compiler/argocompiler/container.go:182-250), a container with the driver image and
//     command, driverResources (argo.go:432-441) and no securityContext;
//   - the executor: template `system-container-impl` (container.go:410-528), init container `kfp-launcher`
//     (container.go:471-485: launcher image, no securityContext) and a placeholder main container that the
//     driver's podSpecPatch (container.go:426) fills in: backend/src/v2/driver/driver.go:310-319 sets the
//     step's image, command, args, env and resources of container `main`, and no securityContext.
// Argo adds, to every pod: init container `init` first and container `wait` before the main one
// (workflowpod.go:219-226,245-246; addInitContainers appends the template's after `init`, :1207-1216),
// both from newExecContainer (:681-732): the executor image, and the controller ConfigMap's `executor`
// container's imagePullPolicy, env, resources, securityContext and args; emptyDir volumes var-run-argo and
// tmp-dir-argo (:36-51,:676). The main container gets the ConfigMap's `mainContainer` defaults strategic-
// merged under it (:113-132). The pod's securityContext is the template's or the workflow's (:822-827):
// KFP sets the workflow's runAsUser only from PIPELINE_RUN_AS_USER (argo.go:153-156), and the controller
// merges `workflowDefaults` under the workflow, the workflow's own fields winning (workflow/util/merge.go:12-45).
// Importer and DAG-driver pods have the driver's shape (init, wait, one main container without securityContext).
import { parse } from "yaml";
import { CONTROLLER_CONFIG } from "../modules/foundation/names";
import type { RenderedObject } from "./manifests";

type Obj = Record<string, any>;

export interface StepPod {
  /** `driver` or `executor`. */
  readonly role: "driver" | "executor";
  /** Where it runs: the platform namespace (single-user) or a namespace KFP runs a team's pipelines in. */
  readonly namespace: string;
  /** What it is made of, for messages. */
  readonly source: string;
  /** The resource whose settings shape it (the controller ConfigMap). */
  readonly urn: string;
  readonly metadata: Obj;
  readonly spec: Obj;
}

const envOf = (container: Obj | undefined): Record<string, string> =>
  Object.fromEntries(((container?.env ?? []) as Obj[]).filter((e) => typeof e.value === "string").map((e) => [e.name, e.value]));

const emptyDir = (name: string) => ({ name, emptyDir: {} });

/**
 * The step pods of every namespace where runs execute, or [] when the plan has no KFP API server. Single-user
 * KFP runs every pipeline in its own namespace; multi-user KFP (MULTIUSER=true) runs a user's pipelines in
 * the user's namespace as DEFAULTPIPELINERUNNERSERVICEACCOUNT, so in every namespace that holds that account.
 */
export function kfpStepPods(objects: readonly RenderedObject[]): StepPod[] {
  const find = (kind: string, name: string) => objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);
  const apiServer = find("Deployment", "ml-pipeline")?.object as Obj | undefined;
  const controller = find("Deployment", "workflow-controller")?.object as Obj | undefined;
  const config = find("ConfigMap", CONTROLLER_CONFIG);
  if (!apiServer || !controller || !config) return [];

  const apiContainer = (apiServer.spec?.template?.spec?.containers ?? []).find((c: Obj) => c.name === "ml-pipeline-api-server");
  const env = envOf(apiContainer);
  const args: string[] = controller.spec?.template?.spec?.containers?.[0]?.args ?? [];
  const executorImage = args[args.indexOf("--executor-image") + 1];
  const data = ((config.object as Obj).data ?? {}) as Record<string, string>;
  // config/config.go:33,36,83: `executor` and `mainContainer` are Containers, `workflowDefaults` a Workflow.
  const executor: Obj = data.executor ? parse(data.executor) ?? {} : {};
  const mainDefaults: Obj = data.mainContainer ? parse(data.mainContainer) ?? {} : {};
  const wfDefaults: Obj = data.workflowDefaults ? parse(data.workflowDefaults)?.spec ?? {} : {};

  const multiUser = env.MULTIUSER === "true";
  const runner = env.DEFAULTPIPELINERUNNERSERVICEACCOUNT ?? "pipeline-runner";
  const namespaces = multiUser
    ? objects.filter((o) => o.object.kind === "ServiceAccount" && o.object.metadata.name === runner).map((o) => o.object.metadata.namespace as string)
    : [apiServer.metadata.namespace as string];

  const runAsUser = env.PIPELINE_RUN_AS_USER !== undefined ? Number.parseInt(env.PIPELINE_RUN_AS_USER, 10) : undefined;
  const podSecurityContext = { ...(wfDefaults.securityContext ?? {}), ...(runAsUser !== undefined && !Number.isNaN(runAsUser) ? { runAsUser } : {}) };
  const execContainer = (name: "init" | "wait") => ({
    name,
    image: executorImage,
    command: ["argoexec", name],
    ...(executor.imagePullPolicy ? { imagePullPolicy: executor.imagePullPolicy } : {}),
    ...(executor.env ? { env: executor.env } : {}),
    ...(executor.resources ? { resources: executor.resources } : {}),
    ...(executor.securityContext ? { securityContext: executor.securityContext } : {}),
    ...(executor.args ? { args: executor.args } : {}),
  });
  const main = (container: Obj) => ({ ...container, name: "main", ...(mainDefaults.securityContext ? { securityContext: mainDefaults.securityContext } : {}) });
  const pod = (initContainers: Obj[], mainContainer: Obj, volumes: Obj[]): Obj => ({
    restartPolicy: "Never",
    serviceAccountName: runner,
    ...(Object.keys(podSecurityContext).length ? { securityContext: podSecurityContext } : {}),
    ...(wfDefaults.hostNetwork !== undefined ? { hostNetwork: wfDefaults.hostNetwork } : {}),
    volumes: [emptyDir("var-run-argo"), emptyDir("tmp-dir-argo"), ...volumes],
    initContainers: [execContainer("init"), ...initContainers],
    containers: [execContainer("wait"), main(mainContainer)],
  });

  const driver = {
    image: env.V2_DRIVER_IMAGE,
    command: (env.V2_DRIVER_COMMAND ?? "driver").split(" "),
    resources: { limits: { cpu: "0.5", memory: "0.5Gi" }, requests: { cpu: "0.1", memory: "64Mi" } },
  };
  const launcher = {
    name: "kfp-launcher",
    image: env.V2_LAUNCHER_IMAGE,
    command: (env.V2_LAUNCHER_COMMAND ?? "launcher-v2").split(" "),
    args: ["--copy", "/kfp-launcher/launch"],
    volumeMounts: [{ name: "kfp-launcher", mountPath: "/kfp-launcher" }],
    resources: { limits: { cpu: "0.5", memory: "128Mi" }, requests: { cpu: "0.1" } },
  };
  const scratch = ["kfp-launcher", "gcs-scratch", "s3-scratch", "minio-scratch", "dot-local-scratch", "dot-cache-scratch", "dot-config-scratch"].map(emptyDir);
  const step = { image: "(the step's image)", command: ["/kfp-launcher/launch"] };
  const metadata = { labels: { "pipelines.kubeflow.org/v2_component": "true" }, annotations: { "pipelines.kubeflow.org/v2_component": "true" } };

  return namespaces.flatMap((namespace) => [
    { role: "driver", namespace, urn: config.urn, metadata, source: "KFP 2.14.0 system-container-driver, Argo v3.6.7 init and wait", spec: pod([], driver, []) },
    { role: "executor", namespace, urn: config.urn, metadata, source: "KFP 2.14.0 system-container-impl, Argo v3.6.7 init and wait", spec: pod([launcher], step, scratch) },
  ]);
}
