// Argo Workflows v3.6.7 as KFP 2.14.0 installs it (namespaced controller, SA `argo`), with the controller
// ConfigMap filled in for production: executor and main-container defaults so quotas admit every step,
// node-status offloading and the workflow archive in MySQL, pod GC and TTL defaults, and parallelism,
// so hundreds of concurrent runs do not pile up in etcd. docs/scaling.md has the arithmetic.
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import type { Database } from "../cloud/contract";
import type { KfpSettings } from "../config/kfp";
import { objectMeta } from "../k8s/metadata";
import { CONTROLLER_CONFIG } from "./names";
import type { ObjectStoreWiring } from "./object-store";
import type { ChildOptions, KfpPartArgs } from "./options";
import { kfpDeployment } from "../k8s/workload";

const PRIORITY_CLASS = "workflow-controller";

/** The controller ConfigMap's keys, each a YAML document, as Argo reads them. */
export function controllerConfig(settings: KfpSettings["argo"], database: Database, wiring: ObjectStoreWiring): Record<string, string> {
  const secret = (key: string) => ({ name: database.secretName, key });
  return {
    artifactRepository: stringify(wiring.artifactRepository),
    executor: stringify({ imagePullPolicy: "IfNotPresent", resources: settings.executor }),
    mainContainer: stringify({ resources: settings.mainContainer }),
    parallelism: String(settings.parallelism),
    namespaceParallelism: String(settings.namespaceParallelism),
    persistence: stringify({
      nodeStatusOffLoad: settings.nodeStatusOffload,
      archive: settings.archive,
      archiveTTL: settings.archiveTTL,
      connectionPool: { maxIdleConns: 20, maxOpenConns: 50, connMaxLifetime: "300s" },
      mysql: {
        host: database.host,
        port: database.port,
        database: database.databases.workflows,
        tableName: "argo_workflows",
        userNameSecret: secret("username"),
        passwordSecret: secret("password"),
      },
    }),
    workflowDefaults: stringify({
      spec: {
        podGC: { strategy: settings.podGC.strategy, deleteDelayDuration: settings.podGC.deleteDelayDuration },
        ttlStrategy: { secondsAfterCompletion: settings.secondsAfterCompletion },
      },
    }),
  };
}

export type ArgoArgs = KfpPartArgs;

/** The controller ConfigMap, its PriorityClass and Deployment; `after` are what runs must wait for. */
export function createArgo(prefix: string, args: ArgoArgs, after: Parameters<ChildOptions>) {
  const { namespace, settings, opts } = args;
  const argo = settings.argo;
  const config = new k8s.core.v1.ConfigMap(
    `${prefix}-controller-config`,
    { metadata: objectMeta(CONTROLLER_CONFIG, namespace), data: controllerConfig(argo, args.database, args.wiring) },
    opts(),
  );
  const priority = new k8s.scheduling.v1.PriorityClass(
    `${prefix}-priority-class`,
    { metadata: objectMeta(PRIORITY_CLASS, undefined), value: 1000000 },
    opts(),
  );
  const controller = kfpDeployment(
    `${prefix}-controller`,
    namespace,
    {
      name: "workflow-controller",
      select: { app: "workflow-controller" },
      labels: {},
      resources: settings.resources.workflowController,
      pod: {
        serviceAccountName: "argo",
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
          "--namespaced",
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
