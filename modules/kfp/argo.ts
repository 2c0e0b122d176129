// Argo Workflows v3.6.7 as KFP 2.14.0 installs it (namespaced controller, SA `argo`), with the controller
// ConfigMap filled in for production: executor resources so quotas admit every step's init and wait
// containers, pod GC defaults (no Argo TTL: KFP deletes finished Workflows itself), parallelism and,
// only when asked for, node-status offloading and the workflow archive in MySQL. docs/scaling.md has
// the arithmetic.
//
// No `mainContainer` defaults: Argo (workflow/controller/workflowpod.go, createWorkflowPod) strategic-
// merges them key by key under each step's container, and KFP's podSpecPatch carries only what the
// pipeline set, so a default memory limit plus a larger requested memory makes an invalid pod. Step
// defaults come from a LimitRange instead (modules/k8s/step-defaults.ts).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import type { Database } from "../foundation/contract";
import type { KfpSettings } from "../config/kfp";
import { contentChecksum } from "../k8s/checksum";
import { objectMeta } from "../k8s/metadata";
import { CONTROLLER_CONFIG } from "../foundation/names";
import type { ObjectStoreWiring } from "./object-store";
import type { ChildOptions, KfpPartArgs } from "./options";
import { kfpDeployment } from "../k8s/workload";

const PRIORITY_CLASS = "workflow-controller";
/** Pod annotation carrying the controller ConfigMap's checksum. */
export const CONFIG_CHECKSUM_ANNOTATION = "kfp-platform/config-checksum";
/** The controller's ServiceAccount (KFP 2.14.0's Argo install): the identity that creates every step pod. */
export const ARGO_SERVICE_ACCOUNT = "argo";

/** The controller ConfigMap's keys, each a YAML document, as Argo reads them. */
export function controllerConfig(settings: KfpSettings["argo"], database: Database, wiring: ObjectStoreWiring): Record<string, pulumi.Input<string>> {
  // The controller opens the database whenever `persistence` is present, whatever its flags, and exits
  // when it cannot (config.go updateConfig): so it is written only when something is persisted.
  const persist = settings.nodeStatusOffload || settings.archive;
  return {
    artifactRepository: stringify(wiring.artifactRepository),
    executor: stringify({ imagePullPolicy: "IfNotPresent", resources: settings.executor }),
    parallelism: String(settings.parallelism),
    namespaceParallelism: String(settings.namespaceParallelism),
    ...(persist ? { persistence: persistence(settings, database) } : {}),
    workflowDefaults: stringify({
      spec: {
        podGC: { strategy: settings.podGC.strategy, deleteDelayDuration: settings.podGC.deleteDelayDuration },
        // No Argo TTL by default: KFP deletes a finished Workflow itself, and only once recorded. Its
        // persistence agent re-reads every Workflow at each informer resync (30 s) and, once it carries
        // the pipeline/persistedFinalState label and is older than TTL_SECONDS_AFTER_WORKFLOW_FINISH,
        // reports it again (kfp 2.14.0 backend/src/agent/persistence/worker/workflow_saver.go:64,
        // main.go:107); the API server then deletes it (resource/resource_manager.go:1293-1295), having
        // set that label only after storing the final state (1430). Argo's ttlStrategy deletes
        // recorded or not, so a persistence agent down past it leaves runs RUNNING in KFP forever.
        ...(settings.secondsAfterCompletion !== undefined ? { ttlStrategy: { secondsAfterCompletion: settings.secondsAfterCompletion } } : {}),
      },
    }),
  };
}

function persistence(settings: KfpSettings["argo"], database: Database): pulumi.Output<string> {
  const secret = (key: string) => ({ name: database.secretName, key });
  return pulumi.output(database.host).apply((host) => stringify({
    nodeStatusOffLoad: settings.nodeStatusOffload,
    archive: settings.archive,
    archiveTTL: settings.archiveTTL,
    connectionPool: { maxIdleConns: 20, maxOpenConns: 50, connMaxLifetime: "300s" },
    mysql: {
      host,
      port: database.port,
      database: database.databases.workflows,
      tableName: "argo_workflows",
      userNameSecret: secret("username"),
      passwordSecret: secret("password"),
    },
  }));
}

export type ArgoArgs = KfpPartArgs;

/** The controller ConfigMap, its PriorityClass and Deployment; `after` are what runs must wait for. */
export function createArgo(prefix: string, args: ArgoArgs, after: Parameters<ChildOptions>) {
  const { namespace, settings, opts } = args;
  const argo = settings.argo;
  const data = controllerConfig(argo, args.database, args.wiring);
  const config = new k8s.core.v1.ConfigMap(
    `${prefix}-controller-config`,
    { metadata: objectMeta(CONTROLLER_CONFIG, namespace), data },
    opts(),
  );
  const priority = new k8s.scheduling.v1.PriorityClass(
    `${prefix}-priority-class`,
    { metadata: objectMeta(PRIORITY_CLASS, undefined), value: 1000000 },
    opts(),
  );
  // Argo reloads most of its ConfigMap live, but builds its parallelism throttler once at start
  // (workflow/controller/controller.go:231 at v3.6.7): a checksum of the data rolls the controller.
  const checksum = pulumi.all(data).apply(contentChecksum);
  const controller = kfpDeployment(
    `${prefix}-controller`,
    namespace,
    {
      name: "workflow-controller",
      select: { app: "workflow-controller" },
      labels: {},
      // Leader election is on (LEADER_ELECTION_IDENTITY below; cmd/workflow-controller/main.go:119-175):
      // extra replicas wait on the Lease and take over within its 15 s, so two ride out a drain.
      replicas: settings.replicas.workflowController,
      highlyAvailable: true,
      podAnnotations: { [CONFIG_CHECKSUM_ANNOTATION]: checksum },
      resources: settings.resources.workflowController,
      pod: {
        serviceAccountName: ARGO_SERVICE_ACCOUNT,
        priorityClassName: priority.metadata.name,
        nodeSelector: { "kubernetes.io/os": "linux" },
        securityContext: { runAsNonRoot: true },
      },
      container: {
        name: "workflow-controller",
        image: args.images.ref("argoWorkflowController"),
        command: ["workflow-controller"],
        args: [
          "--configmap", CONTROLLER_CONFIG,
          "--executor-image", args.images.ref("argoExec"),
          // Multi-user runs execute in team namespaces: a cluster-wide controller (installs/cluster).
          ...(args.mode.multiUser ? [] : ["--namespaced"]),
          "--workflow-workers", String(argo.workflowWorkers),
          "--pod-cleanup-workers", String(argo.podCleanupWorkers),
          "--qps", String(argo.qps),
          "--burst", String(argo.burst),
        ],
        env: [{ name: "LEADER_ELECTION_IDENTITY", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } }],
        ports: [{ name: "metrics", containerPort: 9090 }, { containerPort: 6060 }],
        livenessProbe: { httpGet: { path: "/healthz", port: 6060 }, initialDelaySeconds: 90, periodSeconds: 60, timeoutSeconds: 30, failureThreshold: 3 },
        securityContext: {
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          seccompProfile: { type: "RuntimeDefault" },
        },
      },
    },
    // Runs start as soon as the controller does: storage, database and the cache webhook come first.
    opts(config, ...after),
  );
  return { config, controller };
}
