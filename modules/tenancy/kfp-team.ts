// What a team namespace needs for KFP's multi-user mode to run the team's pipelines there (KFP 2.14.0;
// upstream's profile controller creates the like, kubeflow/pipelines manifests/kustomize/base/installs/
// multi-user/pipelines-profile-controller/sync.py): the run ServiceAccount `default-editor` with exactly
// what v2 pods call, its identity limited to the team's prefixes, the team's users bound to KFP's
// edit/view roles as `User` subjects (the API server's SubjectAccessReview carries no groups), the ML
// Metadata address, the launcher's pipeline root under the team's own prefix, and a copy of the artifact
// keys where the store has one key pair.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ObjectStore } from "../foundation/contract";
import type { TeamConfig } from "../config/teams";
import { kitMeta } from "../k8s/metadata";
import { launcherConfigMap, METADATA_GRPC_SERVICE, metadataGrpcConfigMap } from "../kfp/config-maps";
import { RUNNER_SA } from "../kfp/multi-user/mode";
import { PIPELINES_EDIT, PIPELINES_VIEW, RUNNER_RULES } from "../kfp/multi-user/rbac-facts";
import { BUCKET_PREFIXES } from "../foundation/names";
import { objectStoreWiring } from "../kfp/object-store";

const RBAC = "rbac.authorization.k8s.io";
export const RUNNER_ROLE = "kfp-runner";

/** Key prefixes of the bucket the team's runs write: its part of the pipeline root and of Argo's logs. */
export function teamPrefixes(team: string, pipelineRootPath: string): string[] {
  return [`${pipelineRootPath}/${team}`, `${BUCKET_PREFIXES.argoLogs}/${team}`];
}

export interface KfpTeamArgs {
  readonly team: TeamConfig;
  readonly platformNamespace: string;
  readonly objectStore: ObjectStore;
  readonly pipelineRootPath: string;
  readonly parent: pulumi.Resource;
  readonly opts: pulumi.CustomResourceOptions;
}

export function kfpTeamObjects(prefix: string, args: KfpTeamArgs): void {
  const { team, opts } = args;
  const ns = team.name;
  const annotations = args.objectStore.scopedIdentity?.(`${prefix}-artifacts`, { namespace: ns, serviceAccount: RUNNER_SA, prefixes: teamPrefixes(team.name, args.pipelineRootPath), access: "read-write" }, args.parent);
  new k8s.core.v1.ServiceAccount(`${prefix}-runner`, { metadata: kitMeta(RUNNER_SA, ns, {}, annotations) }, opts);
  const role = new k8s.rbac.v1.Role(`${prefix}-runner-role`, { metadata: kitMeta(RUNNER_ROLE, ns), rules: RUNNER_RULES }, opts);
  new k8s.rbac.v1.RoleBinding(
    `${prefix}-runner-binding`,
    { metadata: kitMeta(RUNNER_ROLE, ns), roleRef: { apiGroup: RBAC, kind: "Role", name: role.metadata.name }, subjects: [{ kind: "ServiceAccount", name: RUNNER_SA, namespace: ns }] },
    opts,
  );
  const users = (names: readonly string[]) => [...new Set(names)].map((name) => ({ kind: "User", apiGroup: RBAC, name }));
  for (const [role, names] of [[PIPELINES_EDIT, [...team.admins, ...team.members]], [PIPELINES_VIEW, team.viewers]] as const) {
    if (names.length === 0) continue;
    new k8s.rbac.v1.RoleBinding(`${prefix}-${role}`, { metadata: kitMeta(role, ns), roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects: users(names) }, opts);
  }
  metadataGrpcConfigMap(`${prefix}-metadata-grpc`, ns, `${METADATA_GRPC_SERVICE}.${args.platformNamespace}`, opts);
  launcherConfigMap(`${prefix}-launcher`, ns, objectStoreWiring(args.objectStore, `${args.pipelineRootPath}/${team.name}`), opts);
  const auth = args.objectStore.auth;
  if (auth.kind === "secret" && auth.values) {
    // One key pair for the whole store (in-cluster MinIO): the team gets the same keys, so its artifacts
    // are not fenced from other teams' (docs/multi-user.md says so). S3 and GCS get scoped identities.
    new k8s.core.v1.Secret(
      `${prefix}-artifact-keys`,
      { metadata: kitMeta(auth.secretName, ns), type: "Opaque", stringData: { [auth.accessKeyKey]: auth.values.accessKey, [auth.secretKeyKey]: auth.values.secretKey } },
      opts,
    );
  }
}
