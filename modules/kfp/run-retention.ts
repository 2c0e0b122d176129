// Run retention (kfp.runRetentionDays, off by default): a daily CronJob that deletes finished runs older
// than N days through KFP's own API, so KFP removes each run's Workflow, its row in run_details and, by the
// foreign keys' ON DELETE CASCADE, its tasks and metrics (storage/run_store.go:654-682 DeleteRun,
// client_manager.go:472-489). Without it `tasks` grows by ~70 rows per run forever (issue #23).
//
// KFP 2.14.0's v2beta1 run API (backend/api/v2beta1/run.proto:82-107; JSON with proto field names,
// apiserver/common/utils.go:153-167 CustomMarshaler):
// - GET /apis/v2beta1/runs?namespace=&page_size=&page_token=&sort_by=&filter= (ListRunsRequest,
//   run.proto:393-417): `filter` is a URL-encoded JSON Filter (v2beta1/filter.proto) parsed with protojson
//   (server/list_request_util.go:141-172); created_at maps to run_details.CreatedAtInSec (model/run.go:359)
//   and a timestamp_value compares as Unix seconds (filter/filter.go:519-520). At most 200 a page
//   (list/list.go:385). A page token repeats the filter and sort it was made with, so the script lists
//   every page before changing anything.
// - POST /apis/v2beta1/runs/{run_id}:archive and DELETE /apis/v2beta1/runs/{run_id}.
// - Multi-user: every call is authorised by a SubjectAccessReview for the caller on pipelines.kubeflow.org
//   `runs` in the run's namespace (server/run_server.go:665-700 canAccessRun; verbs list, archive, delete,
//   common/const.go:31-38), and a list needs a namespace. The caller is identified by a ServiceAccount
//   token with audience pipelines.kubeflow.org (auth/authenticator_token_review.go), which the gateway's
//   API door passes on (multi-user/gateway-config.ts).
//
// The script runs on Node from KFP's own frontend image (node:22.13-alpine at 2.14.0, frontend/Dockerfile),
// already pinned in the versions table: fetch and URLSearchParams, no dependencies.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ImageResolver } from "../images";
import { contentChecksum } from "../k8s/checksum";
import { literal } from "../k8s/env";
import { kitMeta } from "../k8s/metadata";
import { CRON_JOB_DEFAULTS, scriptPod } from "../k8s/script-job";
import type { ContainerResources } from "../k8s/workload";
import { API_PORTS } from "./multi-user/mode";

export const RUN_RETENTION_NAME = "kfp-run-retention";
/** Daily, in the quiet hours after the nightly database backup (backup.schedule defaults to 02:00 UTC). */
export const RUN_RETENTION_SCHEDULE = "30 3 * * *";
const SCRIPT_DIR = "/opt/kfp-run-retention";
const TOKEN_DIR = "/var/run/secrets/kfp-run-retention";
/** The audience KFP's token review expects (common/const.go:54 DefaultTokenReviewAudience). */
const TOKEN_AUDIENCE = "pipelines.kubeflow.org";
/** Node parses one page of runs (each with its pipeline spec) at a time. */
const RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "512Mi" } };
/** The node user of the node:alpine image the frontend is built on. */
const NODE_USER = 1000;

/**
 * The script (an ES module). Environment: KFP_API (http://host:port), RETENTION_DAYS, ARCHIVE_DAYS
 * (optional, below RETENTION_DAYS), NAMESPACES (space-separated; empty lists every run, single-user),
 * TOKEN_FILE (optional: sent as a bearer token, read again for every call since the kubelet rotates it).
 * Only finished runs (SUCCEEDED, SKIPPED, FAILED, CANCELED) are touched. With ARCHIVE_DAYS, runs are
 * archived at that age and only archived runs are deleted: a run past RETENTION_DAYS that is not archived
 * is archived now and deleted by a later pass, so every deleted run spent at least a day in the archive.
 * Exit 1 when any call failed (after trying every run), 2 on bad settings.
 */
export function retentionScript(): string {
  return `// kfp-platform run retention (modules/kfp/run-retention.ts): deletes finished runs older than RETENTION_DAYS through KFP's v2beta1 API.
import { readFileSync } from "node:fs";

const DAY = 86400000;
const FINAL = new Set(["SUCCEEDED", "SKIPPED", "FAILED", "CANCELED"]);
const PAGE_SIZE = 100;
const env = process.env;
const api = (env.KFP_API ?? "").replace(/\\/+$/, "");
const days = Number(env.RETENTION_DAYS);
const archiveDays = env.ARCHIVE_DAYS ? Number(env.ARCHIVE_DAYS) : undefined;
const namespaces = (env.NAMESPACES ?? "").split(/\\s+/).filter(Boolean);
if (!/^https?:\\/\\//.test(api) || !Number.isInteger(days) || days < 1 || (archiveDays !== undefined && (!Number.isInteger(archiveDays) || archiveDays < 1 || archiveDays >= days))) {
  console.error("kfp-run-retention: needs KFP_API (http[s]://host:port), RETENTION_DAYS (a whole number of days, at least 1) and optionally ARCHIVE_DAYS (fewer days than RETENTION_DAYS)");
  process.exit(2);
}
const now = Date.now();
const deleteBefore = now - days * DAY;
const archiveBefore = archiveDays === undefined ? undefined : now - archiveDays * DAY;

class HttpError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(method, path) {
  const headers = { accept: "application/json" };
  if (env.TOKEN_FILE) headers.authorization = "Bearer " + readFileSync(env.TOKEN_FILE, "utf8").trim();
  const response = await fetch(api + path, { method, headers, signal: AbortSignal.timeout(120000) });
  const text = await response.text();
  if (!response.ok) throw new HttpError(method + " " + path.split("?")[0] + ": HTTP " + response.status + ": " + text.slice(0, 300), response.status);
  return text ? JSON.parse(text) : {};
}

/** Every run created before \`before\` (ms), oldest first, as { id, created, state, storage }. */
async function listRuns(namespace, before) {
  const filter = JSON.stringify({ predicates: [{ key: "created_at", operation: "LESS_THAN", timestamp_value: new Date(before).toISOString() }] });
  const runs = [];
  let token = "";
  do {
    const query = new URLSearchParams({ page_size: String(PAGE_SIZE), sort_by: "created_at asc", filter });
    if (namespace) query.set("namespace", namespace);
    if (token) query.set("page_token", token);
    const page = await call("GET", "/apis/v2beta1/runs?" + query);
    for (const run of page.runs ?? []) {
      runs.push({ id: run.run_id, created: Date.parse(run.created_at), state: run.state ?? "RUNTIME_STATE_UNSPECIFIED", storage: run.storage_state ?? "STORAGE_STATE_UNSPECIFIED" });
    }
    token = page.next_page_token ?? "";
  } while (token);
  return runs;
}

let failed = 0;
for (const namespace of namespaces.length > 0 ? namespaces : [""]) {
  const where = namespace ? "namespace " + namespace : "all namespaces";
  const counts = { deleted: 0, archived: 0, running: 0, failed: 0 };
  let runs;
  try {
    runs = await listRuns(namespace, archiveBefore ?? deleteBefore);
  } catch (e) {
    console.error("kfp-run-retention: " + where + ": listing runs failed: " + e.message);
    failed++;
    continue;
  }
  for (const run of runs) {
    if (!FINAL.has(run.state)) {
      counts.running++;
      continue;
    }
    const path = "/apis/v2beta1/runs/" + encodeURIComponent(run.id);
    const archived = run.storage === "ARCHIVED";
    try {
      if (run.created < deleteBefore && (archiveBefore === undefined || archived)) {
        try {
          await call("DELETE", path);
        } catch (e) {
          if (e.status !== 404) throw e; // already gone
        }
        counts.deleted++;
      } else if (archiveBefore !== undefined && !archived) {
        await call("POST", path + ":archive");
        counts.archived++;
      }
    } catch (e) {
      console.error("kfp-run-retention: run " + run.id + ": " + e.message);
      counts.failed++;
    }
  }
  failed += counts.failed;
  console.log("kfp-run-retention: " + where + ": " + counts.deleted + " deleted, " + counts.archived + " archived, " + counts.running + " not finished (kept), " + counts.failed + " failed; runs older than " + days + " days are deleted" + (archiveDays === undefined ? "" : ", older than " + archiveDays + " days archived first"));
}
process.exit(failed > 0 ? 1 : 0);
`;
}

export interface RunRetentionArgs {
  readonly namespace: string;
  readonly images: ImageResolver;
  readonly retentionDays: number;
  readonly archiveDays?: number;
  /** Multi-user: the namespaces whose runs are pruned (KFP lists runs one namespace at a time there). */
  readonly multiUserNamespaces?: readonly string[];
  /** Parent, provider and what it waits for. */
  readonly opts: pulumi.CustomResourceOptions;
}

/** The script's ConfigMap, a ServiceAccount, in multi-user mode its cluster-wide right to list, archive and delete runs, and the CronJob. */
export function createRunRetention(prefix: string, args: RunRetentionArgs): k8s.batch.v1.CronJob {
  const { namespace, opts } = args;
  const multiUser = args.multiUserNamespaces !== undefined;
  const script = retentionScript();
  const scripts = new k8s.core.v1.ConfigMap(`${prefix}-scripts`, { metadata: kitMeta(RUN_RETENTION_NAME, namespace), data: { "retention.mjs": script } }, opts);
  const serviceAccount = new k8s.core.v1.ServiceAccount(`${prefix}-service-account`, { metadata: kitMeta(RUN_RETENTION_NAME, namespace), automountServiceAccountToken: false }, opts);
  const rbac: pulumi.Resource[] = [];
  if (multiUser) {
    const role = new k8s.rbac.v1.ClusterRole(
      `${prefix}-role`,
      { metadata: kitMeta(RUN_RETENTION_NAME, undefined), rules: [{ apiGroups: ["pipelines.kubeflow.org"], resources: ["runs"], verbs: ["list", "archive", "delete"] }] },
      opts,
    );
    rbac.push(
      role,
      new k8s.rbac.v1.ClusterRoleBinding(
        `${prefix}-binding`,
        {
          metadata: kitMeta(RUN_RETENTION_NAME, undefined),
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
          subjects: [{ kind: "ServiceAccount", name: RUN_RETENTION_NAME, namespace }],
        },
        opts,
      ),
    );
  }
  const labels = { "app.kubernetes.io/name": RUN_RETENTION_NAME };
  const checksum = contentChecksum({ script });
  const env = [
    // `ml-pipeline` is the API in single-user mode and the gateway's API door in multi-user mode.
    literal("KFP_API", `http://ml-pipeline.${namespace}:${API_PORTS.http}`),
    literal("RETENTION_DAYS", String(args.retentionDays)),
    ...(args.archiveDays !== undefined ? [literal("ARCHIVE_DAYS", String(args.archiveDays))] : []),
    ...(multiUser ? [literal("NAMESPACES", args.multiUserNamespaces!.join(" ")), literal("TOKEN_FILE", `${TOKEN_DIR}/token`)] : []),
  ];
  return new k8s.batch.v1.CronJob(
    `${prefix}-cron-job`,
    {
      metadata: kitMeta(RUN_RETENTION_NAME, namespace, labels),
      spec: {
        schedule: RUN_RETENTION_SCHEDULE,
        ...CRON_JOB_DEFAULTS,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            // A first pass over a long history deletes thousands of runs; what is left waits for the next day.
            activeDeadlineSeconds: 4 * 3600,
            template: {
              metadata: { labels, annotations: { "kfp-platform/script-checksum": checksum } },
              spec: scriptPod({
                container: "retention",
                image: args.images.ref("kfpFrontend"),
                command: ["node", "retention.mjs"],
                scripts: scripts.metadata.name,
                scriptDir: SCRIPT_DIR,
                env,
                resources: RESOURCES,
                runAs: { user: NODE_USER, group: NODE_USER },
                serviceAccountName: RUN_RETENTION_NAME,
                volumes: multiUser
                  ? [
                      {
                        volume: { name: "token", projected: { sources: [{ serviceAccountToken: { path: "token", audience: TOKEN_AUDIENCE, expirationSeconds: 3600 } }] } },
                        mount: { name: "token", mountPath: TOKEN_DIR, readOnly: true },
                      },
                    ]
                  : [],
              }),
            },
          },
        },
      },
    },
    { ...opts, dependsOn: [...((opts.dependsOn as pulumi.Resource[] | undefined) ?? []), scripts, serviceAccount, ...rbac] },
  );
}
