// One team's namespace and its fences: RBAC from the team's identities (exact subjects, never
// cluster-admin), a ResourceQuota with GPUs, the step-defaults LimitRange (quotas count requests, so
// every container needs them), NetworkPolicies, and the team's pipeline ServiceAccount with an identity
// limited to the team's artifacts where the object store can scope one.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ObjectStore } from "../foundation/contract";
import type { KfpSettings } from "../config/kfp";
import { teamGroup, type TeamConfig } from "../config/teams";
import { kitMeta } from "../k8s/metadata";
import { podSecurityLabels } from "../k8s/pod-security";
import { stepDefaultsLimitRange } from "../k8s/step-defaults";
import { kfpTeamObjects } from "./kfp-team";
import { teamNetworkPolicies } from "./network";

/** The label that marks a team namespace (the team-access policy reads it). */
export const TEAM_LABEL = "kfp-platform/team";
/** The ServiceAccount a team's pipeline pods run as. */
export const TEAM_RUNNER = "pipeline-runner";
const RBAC = "rbac.authorization.k8s.io";

type Subject = k8s.types.input.rbac.v1.Subject;
export const groupSubject = (name: string): Subject => ({ kind: "Group", apiGroup: RBAC, name });
export const userSubject = (name: string): Subject => ({ kind: "User", apiGroup: RBAC, name });

/** The subjects of each of a team's roles. */
export function teamSubjects(team: TeamConfig, awsGroups: boolean): Record<"admin" | "edit" | "view", Subject[]> {
  return {
    admin: [...team.groups.map(groupSubject), ...(awsGroups && team.awsPrincipals.length > 0 ? [groupSubject(teamGroup(team.name))] : []), ...team.admins.map(userSubject)],
    edit: team.members.map(userSubject),
    view: team.viewers.map(userSubject),
  };
}

export interface TeamArgs {
  readonly team: TeamConfig;
  readonly platformNamespace: string;
  readonly monitoringNamespace?: string;
  readonly stepDefaults: KfpSettings["stepDefaults"];
  readonly pipelineRootPath: string;
  readonly objectStore: ObjectStore;
  readonly subjects: ReturnType<typeof teamSubjects>;
  readonly provider: k8s.Provider;
  /** KFP multi-user: runs execute here as default-editor, so the namespace gets KFP's objects. */
  readonly kfpMultiUser: boolean;
}

export class TeamNamespace extends pulumi.ComponentResource {
  readonly namespace: k8s.core.v1.Namespace;

  constructor(name: string, args: TeamArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:tenancy:TeamNamespace", name, {}, opts);
    const { team } = args;
    const ns = team.name;
    this.namespace = new k8s.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: kitMeta(ns, undefined, {
          [TEAM_LABEL]: team.name,
          ...podSecurityLabels("restricted"),
          "pod-security.kubernetes.io/enforce": team.podSecurity,
        }),
      },
      { parent: this, provider: args.provider },
    );
    const inNamespace = { parent: this, provider: args.provider, dependsOn: [this.namespace] };

    for (const [role, subjects] of Object.entries(args.subjects)) {
      if (subjects.length === 0) continue;
      new k8s.rbac.v1.RoleBinding(
        `${name}-${role}`,
        { metadata: kitMeta(`team-${role}`, ns), roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: role }, subjects },
        inNamespace,
      );
    }

    const q = team.quota;
    new k8s.core.v1.ResourceQuota(
      `${name}-quota`,
      {
        metadata: kitMeta("team-quota", ns),
        spec: {
          hard: {
            "requests.cpu": q.cpu,
            "requests.memory": q.memory,
            "requests.nvidia.com/gpu": String(q.gpu),
            pods: String(q.pods),
            persistentvolumeclaims: String(q.pvcs),
            "requests.storage": q.storage,
          },
        },
      },
      inNamespace,
    );
    stepDefaultsLimitRange(`${name}-limits`, ns, team.stepDefaults ?? args.stepDefaults, inNamespace);
    teamNetworkPolicies(`${name}-network`, { namespace: ns, platformNamespace: args.platformNamespace, monitoringNamespace: args.monitoringNamespace, internet: team.egress.internet, opts: inNamespace });

    if (args.kfpMultiUser) {
      kfpTeamObjects(`${name}-kfp`, { team, platformNamespace: args.platformNamespace, objectStore: args.objectStore, pipelineRootPath: args.pipelineRootPath, parent: this, opts: inNamespace });
    } else {
      // The team's pipeline pods: their identity reaches only the team's part of the pipeline root.
      const annotations = args.objectStore.scopedIdentity?.(
        `${name}-artifacts`,
        { namespace: ns, serviceAccount: TEAM_RUNNER, prefixes: [`${args.pipelineRootPath}/${team.name}`], access: "read-write" },
        this,
      );
      new k8s.core.v1.ServiceAccount(`${name}-runner`, { metadata: kitMeta(TEAM_RUNNER, ns, {}, annotations) }, inNamespace);
    }
    this.registerOutputs({ namespace: ns });
  }
}
