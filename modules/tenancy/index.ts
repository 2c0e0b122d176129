// Team namespaces for every team in the stack file, and the platform's own roles: cluster-admin for the
// platform admins only (break-glass, in one place, printed in the plan summary), and read access to the
// platform namespace's pods and logs for every team subject, with no write access to platform components.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Foundation } from "../foundation/contract";
import type { KfpSettings } from "../config/kfp";
import type { StackConfig } from "../config/schema";
import { kitMeta } from "../k8s/metadata";
import { runIdentityPolicy } from "./run-identity";
import { groupSubject, TeamNamespace, teamSubjects, userSubject } from "./team";

const RBAC = "rbac.authorization.k8s.io";
export const PLATFORM_READER_ROLE = "team-platform-reader";

export interface TenancyArgs {
  readonly foundation: Foundation;
  readonly teams: StackConfig["teams"];
  readonly platformAdmins: StackConfig["platformAdmins"];
  readonly kfp: KfpSettings;
  /** Namespace of the monitoring stack (team pods admit its scrapers); none when monitoring is off. */
  readonly monitoringNamespace?: string;
  /** Whether EKS access entries map teams' IAM roles to their groups. */
  readonly awsGroups: boolean;
}

export class Tenancy extends pulumi.ComponentResource {
  /** Who holds cluster-admin through the kit (for the plan summary). */
  readonly clusterAdmins: string[];

  constructor(name: string, args: TenancyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kfp-platform:tenancy:Tenancy", name, {}, opts);
    const { foundation } = args;
    const k8sOpts = { parent: this, provider: foundation.provider };
    const admins = [...args.platformAdmins.groups.map(groupSubject), ...args.platformAdmins.users.map(userSubject)];
    this.clusterAdmins = admins.map((s) => `${s.kind} ${s.name}`);
    if (admins.length > 0) {
      new k8s.rbac.v1.ClusterRoleBinding(
        `${name}-platform-admins`,
        { metadata: kitMeta("kfp-platform-admins", undefined), roleRef: { apiGroup: RBAC, kind: "ClusterRole", name: "cluster-admin" }, subjects: admins },
        k8sOpts,
      );
    }
    const inPlatform = { ...k8sOpts, dependsOn: [foundation.namespaceResource] };
    const reader = new k8s.rbac.v1.Role(
      `${name}-platform-reader`,
      {
        metadata: kitMeta(PLATFORM_READER_ROLE, foundation.namespace),
        rules: [{ apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] }],
      },
      inPlatform,
    );
    if (args.kfp.mode === "multi-user" && args.teams.length > 0) runIdentityPolicy(`${name}-run-identity`, foundation.namespace, k8sOpts);
    for (const team of args.teams) {
      const subjects = teamSubjects(team, args.awsGroups);
      new TeamNamespace(
        `${name}-${team.name}`,
        {
          team,
          platformNamespace: foundation.namespace,
          monitoringNamespace: args.monitoringNamespace,
          stepDefaults: args.kfp.stepDefaults,
          pipelineRootPath: args.kfp.pipelineRootPath,
          kfpMultiUser: args.kfp.mode === "multi-user",
          objectStore: foundation.objectStore,
          subjects,
          provider: foundation.provider,
        },
        { parent: this },
      );
      new k8s.rbac.v1.RoleBinding(
        `${name}-${team.name}-platform-reader`,
        {
          metadata: kitMeta(`team-${team.name}-platform-reader`, foundation.namespace),
          roleRef: { apiGroup: RBAC, kind: "Role", name: reader.metadata.name },
          subjects: [...subjects.admin, ...subjects.edit, ...subjects.view],
        },
        inPlatform,
      );
    }
    this.registerOutputs({ teams: args.teams.map((t) => t.name), clusterAdmins: this.clusterAdmins });
  }
}
