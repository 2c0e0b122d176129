// Team namespaces in every example stack: labels, exact RBAC subjects, quota keys (GPU included), the
// LimitRange that lets a KFP step pod pass the quota, default-deny networking, the team-scoped artifact
// identity, no team on cluster-admin; the team-access policy on them and on mutated copies; and the
// lock-out guards on mutated stack files.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { planStack, type PlanResult } from "../engine/plan";
import { ConfigError } from "../modules/config";
import { parseStackConfig } from "../modules/config/parse";
import type { StackConfig } from "../modules/config/schema";
import { kfpStepOverhead } from "../modules/versions";
import { teamAccess } from "../policies/src/rules/team-access";
import { findObject, REPO_ROOT } from "./helpers";
import { encode } from "../engine/stack-file";
import { admitContainer, podRequests, type LimitRangeItem } from "./pod-admission";
import { stackViolations, type StackResourceSpec } from "./policies-helpers";
import { parseQuantity } from "../modules/config/quantities";

const STACKS = ["local", "aws-dev", "aws-prod", "aws-prod-dr"];
const stackFile = (stack: string) => join(REPO_ROOT, "stacks", `Pulumi.${stack}.yaml`);
/** A stack file's config as the CLI hands it to the program (secure: values decrypted, their keys marked secret). */
function rawConfig(stack: string, edit: (config: Record<string, any>) => void = () => {}): { raw: Record<string, string>; secretKeys: string[] } {
  const config = parseYaml(readFileSync(stackFile(stack), "utf8")).config as Record<string, unknown>;
  edit(config);
  const encoded = Object.entries(config).map(([k, v]) => [k, encode(v)] as const);
  return { raw: Object.fromEntries(encoded.map(([k, e]) => [k, e.text])), secretKeys: encoded.filter(([, e]) => e.secret).map(([k]) => k) };
}
const parseRaw = (stack: string, edit?: (config: Record<string, any>) => void): StackConfig => {
  const { raw, secretKeys } = rawConfig(stack, edit);
  return parseStackConfig(raw, `stacks/Pulumi.${stack}.yaml`, secretKeys);
};
const configOf = (stack: string): StackConfig => parseRaw(stack);

const plans: Record<string, PlanResult> = {};
before(async () => {
  for (const stack of STACKS) {
    plans[stack] = await planStack(stack, { root: REPO_ROOT, outDir: null });
    assert.deepEqual(plans[stack].problems, [], stack);
  }
});

const objectsIn = (plan: PlanResult, kind: string, namespace: string) => plan.objects.map((o) => o.object as any).filter((o) => o.kind === kind && o.metadata.namespace === namespace);
const subjectsOf = (binding: any) => binding.subjects.map((s: any) => `${s.kind} ${s.name}`).sort();

describe("team namespaces in every example stack", () => {
  it("has at least two teams in every example stack", () => {
    for (const stack of STACKS) assert.ok(configOf(stack).teams.length >= 2, stack);
  });

  it("labels each namespace as the team's, with its Pod Security level", () => {
    for (const stack of STACKS) {
      for (const team of configOf(stack).teams) {
        const labels = findObject(plans[stack], "Namespace", team.name)!.metadata.labels!;
        assert.equal(labels["kfp-platform/team"], team.name);
        assert.equal(labels["pod-security.kubernetes.io/enforce"], team.podSecurity);
        assert.equal(labels["pod-security.kubernetes.io/warn"], "restricted");
      }
    }
  });

  it("binds exactly the team's subjects to admin, edit and view, and nothing else in the namespace", () => {
    for (const stack of STACKS) {
      const config = configOf(stack);
      for (const team of config.teams) {
        const expected: Record<string, string[]> = {
          admin: [
            ...team.groups.map((g) => `Group ${g}`),
            ...(config.cluster.target === "aws" && team.awsPrincipals.length ? [`Group kfp-team:${team.name}`] : []),
            ...team.admins.map((u) => `User ${u}`),
          ].sort(),
          edit: team.members.map((u) => `User ${u}`).sort(),
          view: team.viewers.map((u) => `User ${u}`).sort(),
        };
        const bindings = objectsIn(plans[stack], "RoleBinding", team.name);
        const actual = Object.fromEntries(bindings.map((b) => [b.roleRef.name, subjectsOf(b)]));
        assert.deepEqual(actual, Object.fromEntries(Object.entries(expected).filter(([, s]) => s.length > 0)), `${stack}/${team.name}`);
        for (const b of bindings) assert.equal(b.roleRef.kind, "ClusterRole");
      }
    }
  });

  it("maps each team's IAM roles on EKS to the team's group, and only there", () => {
    for (const stack of ["aws-dev", "aws-prod"]) {
      const entries = plans[stack].resources.filter((r) => r.type === "aws:eks/accessEntry:AccessEntry");
      for (const team of configOf(stack).teams) {
        for (const arn of team.awsPrincipals) {
          assert.deepEqual(entries.find((e) => e.inputs.principalArn === arn)!.inputs.kubernetesGroups, [`kfp-team:${team.name}`]);
        }
      }
    }
  });

  it("gives each team a quota with CPU, memory, GPU, pods, claims and storage", () => {
    for (const stack of STACKS) {
      for (const team of configOf(stack).teams) {
        const [quota] = objectsIn(plans[stack], "ResourceQuota", team.name);
        assert.deepEqual(Object.keys(quota.spec.hard).sort(), ["persistentvolumeclaims", "pods", "requests.cpu", "requests.memory", "requests.nvidia.com/gpu", "requests.storage"]);
        assert.equal(quota.spec.hard["requests.nvidia.com/gpu"], String(team.quota.gpu));
      }
    }
  });

  it("admits a KFP step pod (Argo's init and wait, the launcher with no memory request, a main container with nothing set) under the quota", () => {
    for (const stack of STACKS) {
      const plan = plans[stack];
      const executor = parseYaml((findObject(plan, "ConfigMap", "workflow-controller-configmap") as any).data.executor).resources;
      for (const team of configOf(stack).teams) {
        const items: LimitRangeItem[] = objectsIn(plan, "LimitRange", team.name).flatMap((l) => l.spec.limits);
        const pod = {
          initContainers: [admitContainer(executor, items), admitContainer(kfpStepOverhead.launcher as any, items)],
          containers: [admitContainer({}, items), admitContainer(executor, items)],
        };
        // A quota on requests.cpu and requests.memory refuses a pod with any container lacking them.
        for (const c of [...pod.initContainers, ...pod.containers]) assert.ok(c.requests?.cpu && c.requests?.memory, `${stack}/${team.name}: ${JSON.stringify(c)}`);
        const charged = podRequests(pod);
        const [quota] = objectsIn(plan, "ResourceQuota", team.name);
        assert.ok(charged.cpu <= parseQuantity(quota.spec.hard["requests.cpu"])!, `${stack}/${team.name} cpu`);
        assert.ok(charged.memory <= parseQuantity(quota.spec.hard["requests.memory"])!, `${stack}/${team.name} memory`);
        // The launcher's limit-only memory became its request, not the larger default.
        assert.equal(pod.initContainers[1].requests!.memory, kfpStepOverhead.launcher.limits.memory);
      }
    }
  });

  it("denies all traffic by default and opens only DNS, the platform, monitoring and, per team, the internet", () => {
    for (const stack of STACKS) {
      for (const team of configOf(stack).teams) {
        const policies = Object.fromEntries(objectsIn(plans[stack], "NetworkPolicy", team.name).map((p) => [p.metadata.name, p.spec]));
        assert.deepEqual(policies["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        const egress = policies["allow-egress"].egress;
        const open = egress.find((rule: any) => rule.to.some((p: any) => p.ipBlock?.cidr === "0.0.0.0/0"));
        assert.deepEqual(open.ports, team.egress.internet ? undefined : [{ protocol: "TCP", port: 443 }], `${stack}/${team.name}`);
      }
    }
  });

  it("gives each team's pipeline pods an identity scoped to the team's artifacts on S3, and none on MinIO", () => {
    for (const stack of ["aws-dev", "aws-prod"]) {
      const plan = plans[stack];
      for (const team of configOf(stack).teams) {
        const sa = objectsIn(plan, "ServiceAccount", team.name).find((s) => s.metadata.name === "pipeline-runner");
        const role = plan.resources.find((r) => r.type === "aws:iam/role:Role" && r.outputs.arn === sa.metadata.annotations["eks.amazonaws.com/role-arn"])!;
        const trust = JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Condition.StringEquals;
        assert.ok(Object.values(trust).includes(`system:serviceaccount:${team.name}:pipeline-runner`));
        const policy = JSON.parse(plan.resources.find((r) => r.name === `${role.name}-policy`)!.inputs.policy as string);
        const objects = policy.Statement.find((s: any) => s.Action.includes("s3:PutObject")).Resource;
        assert.deepEqual(objects, [`arn:aws:s3:::${configOf(stack).objectStore.bucket}/v2/artifacts/${team.name}/*`]);
        const list = policy.Statement.find((s: any) => s.Action.includes("s3:ListBucket"));
        assert.deepEqual(list.Condition.StringLike["s3:prefix"], [`v2/artifacts/${team.name}`, `v2/artifacts/${team.name}/*`]);
      }
    }
    for (const team of configOf("local").teams) {
      const sa = objectsIn(plans.local, "ServiceAccount", team.name).find((s) => s.metadata.name === "pipeline-runner");
      assert.equal(sa.metadata.annotations, undefined, "MinIO has one key pair: no per-team identity");
    }
  });

  it("puts no team subject on cluster-admin, and lets teams read the platform's pods and logs only", () => {
    for (const stack of STACKS) {
      const plan = plans[stack];
      const config = configOf(stack);
      const teamSubjects = new Set(config.teams.flatMap((t) => objectsIn(plan, "RoleBinding", t.name).flatMap(subjectsOf)));
      assert.ok(teamSubjects.size > 0);
      const clusterAdmin = plan.objects.map((o) => o.object as any).filter((o) => o.kind === "ClusterRoleBinding" && o.roleRef.name === "cluster-admin");
      for (const b of clusterAdmin) for (const s of subjectsOf(b)) assert.ok(!teamSubjects.has(s), `${stack}: ${s} on cluster-admin`);
      const reader = objectsIn(plan, "Role", config.platformNamespace).find((r) => r.metadata.name === "team-platform-reader");
      assert.deepEqual(reader.rules, [{ apiGroups: [""], resources: ["pods", "pods/log", "events"], verbs: ["get", "list", "watch"] }]);
    }
  });
});

describe("team-access on the example stacks", () => {
  const specs = (plan: PlanResult): StackResourceSpec[] => plan.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.urn, props: r.inputs as any }));

  it("passes every example stack", async () => {
    for (const stack of STACKS) assert.deepEqual(await stackViolations(teamAccess, specs(plans[stack])), [], stack);
  });

  it("fails a copy without a team's quota, and a copy that binds a team group to cluster-admin", async () => {
    const plan = plans["aws-prod"];
    const withoutQuota = specs(plan).filter((s) => !(s.type === "kubernetes:core/v1:ResourceQuota" && (s.props.metadata as any).namespace === "nlp"));
    const found = await stackViolations(teamAccess, withoutQuota);
    assert.equal(found.length, 1);
    assert.match(found[0].message, /team namespace lacks a ResourceQuota/);
    const escalated = specs(plan).map((s) =>
      s.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding" && (s.props.roleRef as any).name === "cluster-admin"
        ? { ...s, props: { ...s.props, subjects: [...(s.props.subjects as any[]), { kind: "Group", name: "kfp-team:vision", apiGroup: "rbac.authorization.k8s.io" }] } }
        : s,
    );
    assert.match((await stackViolations(teamAccess, escalated))[0].message, /binds cluster-admin to team group kfp-team:vision/);
  });
});

describe("lock-out guards on mutated example stacks", () => {
  const problems = (stack: string, edit: (config: Record<string, any>) => void) => {
    try {
      parseRaw(stack, edit);
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.message.split("\n");
    }
    assert.fail("config was accepted");
  };
  const teams = (c: Record<string, any>) => c["kfp-platform:teams"] as any[];

  it("refuses a team left without an administrator (the last admin removed)", () => {
    for (const stack of STACKS) {
      const lines = problems(stack, (c) => {
        const t = teams(c)[1];
        t.groups = [];
        t.admins = [];
        t.awsPrincipals = [];
      });
      assert.equal(lines.length, 1, lines.join("\n"));
      assert.match(lines[0], new RegExp(`^stacks/Pulumi\\.${stack}\\.yaml: kfp-platform:teams\\[1\\]\\.groups: required value is missing; team nlp would have no administrator`));
    }
  });

  it("refuses two teams in one namespace, and a team in a platform namespace", () => {
    assert.match(problems("local", (c) => (teams(c)[1].name = "vision"))[0], /kfp-platform:teams\[1\]\.name: found "vision"; is a second team with this name: two teams would share one namespace/);
    assert.match(problems("local", (c) => (teams(c)[0].name = "kubeflow"))[0], /kfp-platform:teams\[0\]\.name: found "kubeflow"; is a namespace the cluster or the platform uses/);
    // The monitoring namespace as configured, not a fixed name.
    const moved = (c: Record<string, any>) => (c["kfp-platform:monitoring"] = { namespace: "observability" });
    assert.match(problems("local", (c) => { moved(c); teams(c)[0].name = "observability"; })[0], /teams\[0\]\.name: found "observability"; is a namespace the cluster or the platform uses/);
  });

  it("refuses GPU quotas beyond what the GPU pools hold, unless over-commit is allowed", () => {
    const lines = problems("aws-prod", (c) => (teams(c)[1].quota.gpu = 17));
    assert.match(lines[0], /kfp-platform:teams\[0\]\.quota\.gpu: found 8; the teams' GPU quotas add up to 25, more than the 24 GPUs the GPU pools can hold/);
    assert.doesNotThrow(() =>
      parseRaw("aws-prod", (c) => {
        teams(c)[1].quota.gpu = 17;
        c["kfp-platform:allowGpuQuotaOvercommit"] = true;
      }),
    );
    assert.match(problems("local", (c) => (teams(c)[0].quota.gpu = 1))[0], /add up to 1, more than the 0 GPUs/);
  });

  it("refuses identities that are not ones: spaces, system: names, IAM roles off EKS", () => {
    assert.match(problems("local", (c) => (teams(c)[1].admins = ["alice smith"]))[0], /kfp-platform:teams\[1\]\.admins\[0\]: found "alice smith"; expected a user name without spaces/);
    assert.match(problems("local", (c) => (teams(c)[0].groups = ["system:masters"]))[0], /kfp-platform:teams\[0\]\.groups\[0\]: found "system:masters"; system: groups belong to Kubernetes itself/);
    assert.match(problems("local", (c) => (teams(c)[0].awsPrincipals = ["arn:aws:iam::123456789012:role/x"]))[0], /teams\[0\]\.awsPrincipals: .*only the aws target has/);
  });
});
