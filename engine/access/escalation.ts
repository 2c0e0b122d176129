// Escalation paths: from a principal, every identity or right it can reach, each step with the rule that
// allows it, to a fixed point. A step either becomes another principal (a pod that runs as it, its token,
// impersonation), gains a role's rules (bind, escalate), or ends at rights equivalent to cluster-admin.
// Prior art: rbac-police (PaloAltoNetworks; one Rego policy per risky permission of one identity),
// KubiScan (risky roles and the pods that hold them), rakkess (`kubectl access-matrix`: rights per
// resource and namespace). They judge identities one at a time on a live cluster; this follows chains
// (each step pools the rights of every identity held so far) on the plan's objects, before anything exists.
import { grantFor, principalKey, type Grant, type Principal, type RbacModel } from "./model";
import { allows, covers, describeRule, type Request } from "./rules";

/** Where a step lands. */
export type Target =
  | { readonly kind: "principal"; readonly principal: Principal }
  | { readonly kind: "grants"; readonly label: string; readonly grants: readonly Grant[] }
  | { readonly kind: "cluster-admin"; readonly reason: string };

export interface Step {
  /** What the holder does: `creates a pod in kubeflow as it`. */
  readonly action: string;
  /** The grant that allows it (its rule and binding). */
  readonly grant: Grant;
  readonly to: Target;
}

export interface Path {
  readonly start: Principal;
  readonly steps: readonly Step[];
}

export const targetLabel = (t: Target): string => (t.kind === "principal" ? principalKey(t.principal) : t.kind === "grants" ? t.label : `cluster-admin equivalent (${t.reason})`);
const targetKey = (t: Target): string => (t.kind === "cluster-admin" ? `cluster-admin:${t.reason}` : targetLabel(t));

const req = (verb: string, group: string, resource: string, name?: string): Request => ({ verb, group, resource, ...(name !== undefined ? { name } : {}) });
const each = (verbs: string[], groups: string[], resources: string[]) => verbs.flatMap((v) => groups.flatMap((g) => resources.map((r) => req(v, g, r))));

/**
 * Writes that make the API server's controllers start a pod from a template the writer chooses
 * (serviceAccountName included): pods and Jobs create only (a pod's serviceAccountName and a Job's
 * template are immutable: pkg/apis/core/validation ValidatePodUpdate, pkg/apis/batch/validation
 * ValidateJobSpecUpdate), and create/update/patch of every other built-in pod controller's template.
 */
const POD_WRITES: Request[] = [
  req("create", "", "pods"),
  req("create", "batch", "jobs"),
  ...each(["create", "update", "patch"], ["apps", "extensions"], ["deployments", "replicasets", "daemonsets"]),
  ...each(["create", "update", "patch"], ["apps"], ["statefulsets"]),
  ...each(["create", "update", "patch"], ["batch"], ["cronjobs"]),
  ...each(["create", "update", "patch"], [""], ["replicationcontrollers"]),
];
/** Argo objects whose pods Argo's controller creates as the account they name (workflow_types.go serviceAccountName). */
const ARGO_WRITES: Request[] = [req("create", "argoproj.io", "workflows"), ...each(["create", "update", "patch"], ["argoproj.io"], ["cronworkflows", "workflowtemplates"])];
/**
 * Into a running pod: exec and attach (the WebSocket form of exec is a GET, so both verbs count), an
 * ephemeral container, or a new image for a container (pods update/patch: ValidatePodUpdate in
 * pkg/apis/core/validation keeps every field but the containers' images, so the code changes, the account not).
 */
const INTO_POD: Request[] = [...each(["create", "get"], [""], ["pods/exec", "pods/attach"]), ...each(["update", "patch"], [""], ["pods/ephemeralcontainers", "pods"])];
const WEBHOOK_WRITES: Request[] = each(
  ["create", "update", "patch", "delete"],
  ["admissionregistration.k8s.io"],
  ["mutatingwebhookconfigurations", "validatingwebhookconfigurations", "validatingadmissionpolicies", "validatingadmissionpolicybindings", "mutatingadmissionpolicies", "mutatingadmissionpolicybindings"],
);
const TOKEN_SECRET = "kubernetes.io/service-account-token";

interface Held {
  readonly grants: readonly Grant[];
}

interface Move {
  readonly action: string;
  readonly grant: Grant;
  readonly to: Target;
}

/** The first request of `requests` the held grants allow in `namespace` (null: cluster-wide), with its grant. */
function firstAllowed(held: Held, requests: readonly Request[], namespace: string | null): { request: Request; grant: Grant } | undefined {
  for (const request of requests) {
    const grant = grantFor(held.grants, request, namespace);
    if (grant) return { request, grant };
  }
  return undefined;
}
const phrase = (r: Request) => `${r.verb} ${r.group ? `${r.group}/` : ""}${r.resource}`;

/** Every move the held rights allow, in every namespace the plan knows, and the cluster-wide ones. */
export function moves(model: RbacModel, held: Held): Move[] {
  const out: Move[] = [];
  const accountsIn = (ns: string) => model.serviceAccounts.filter((sa) => sa.namespace === ns);
  const become = (action: string, grant: Grant, principals: readonly Principal[]) => principals.forEach((principal) => out.push({ action, grant, to: { kind: "principal", principal } }));
  const deputyCan = (account: Principal | undefined, requests: Request[], ns: string | null) => account !== undefined && firstAllowed({ grants: model.grantsOf(account) }, requests, ns) !== undefined;
  const argo = model.deputies.argo;
  const argoStartsPods = (ns: string | null) => deputyCan(argo?.account, [req("create", "", "pods")], ns);
  const argoTargets = (ns: string) => {
    const only = model.argoIdentityIn(ns);
    return accountsIn(ns).filter((sa) => only === undefined || sa.name === only);
  };
  const argoNote = (ns: string) => (model.argoIdentityIn(ns) ? ` (the plan's admission policy holds Argo's pods there to ${model.argoIdentityIn(ns)})` : "");

  for (const ns of model.namespaces) {
    const podWrite = firstAllowed(held, POD_WRITES, ns);
    if (podWrite) become(`${phrase(podWrite.request)} in ${ns}, with a pod template that runs as the account`, podWrite.grant, accountsIn(ns));

    if (argo && argoStartsPods(ns)) {
      const argoWrite = firstAllowed(held, ARGO_WRITES, ns);
      if (argoWrite) become(`${phrase(argoWrite.request)} in ${ns}: Argo's controller (${argo.owner}) starts its pods as the account it names${argoNote(ns)}`, argoWrite.grant, argoTargets(ns));
      const swf = model.deputies.scheduledWorkflows;
      const swfWrite = firstAllowed(held, each(["create", "update", "patch"], ["kubeflow.org"], ["scheduledworkflows"]), ns);
      if (swf && swfWrite && deputyCan(swf.account, [req("create", "argoproj.io", "workflows")], ns)) {
        become(`${phrase(swfWrite.request)} in ${ns}: ${swf.owner} creates its Workflow, whose pods Argo starts as the account it names${argoNote(ns)}`, swfWrite.grant, argoTargets(ns));
      }
      // KFP's API server checks `create runs` with a SubjectAccessReview only in multi-user mode (common.IsMultiUserMode).
      const api = model.deputies.kfpApi;
      const runWrite = firstAllowed(held, [req("create", "pipelines.kubeflow.org", "runs"), req("create", "pipelines.kubeflow.org", "jobs")], ns);
      if (api?.multiUser && runWrite && deputyCan(api.account, [req("create", "argoproj.io", "workflows")], ns)) {
        become(`${phrase(runWrite.request)} in ${ns}: KFP's API server creates the run's Workflow with the service account the run names${argoNote(ns)}`, runWrite.grant, argoTargets(ns));
      }
    }
    // The viewer controller copies the Viewer's spec.podTemplateSpec into its Deployment whole
    // (KFP backend/src/crd/controller/viewer/reconciler/reconciler.go deploymentFrom: Template: view.Spec.PodTemplateSpec).
    const viewers = model.deputies.viewers;
    const viewerWrite = firstAllowed(held, [req("create", "kubeflow.org", "viewers")], ns);
    if (viewers && viewerWrite && deputyCan(viewers.account, [req("create", "apps", "deployments")], ns)) {
      become(`create kubeflow.org/viewers in ${ns}: ${viewers.owner} creates a Deployment from the Viewer's pod template, account included`, viewerWrite.grant, accountsIn(ns));
    }

    const into = firstAllowed(held, INTO_POD, ns);
    if (into) {
      const pods = model.running.filter((p) => p.namespace === ns && p.tokenMounted);
      for (const pod of pods) become(`${phrase(into.request)} into ${pod.owner}, which mounts its account's token`, into.grant, accountsIn(ns).filter((sa) => sa.name === pod.serviceAccount));
    }
    for (const sa of accountsIn(ns)) {
      const token = grantFor(held.grants, req("create", "", "serviceaccounts/token", sa.name), ns);
      if (token) become(`create serviceaccounts/token in ${ns} for it (TokenRequest)`, token, [sa]);
      const imp = grantFor(held.grants, req("impersonate", "", "serviceaccounts", sa.name), ns);
      if (imp) become(`impersonate it (Impersonate-User: system:serviceaccount:${ns}:${sa.name})`, imp, [sa]);
    }
    // Secrets: a token Secret of the plan names its account; creating one makes the token controller fill it
    // (https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#manually-create-an-api-token-for-a-serviceaccount).
    const secretRead = firstAllowed(held, [req("get", "", "secrets"), req("list", "", "secrets")], ns);
    const secretCreate = grantFor(held.grants, req("create", "", "secrets"), ns);
    if (secretRead && secretCreate) become(`create a ${TOKEN_SECRET} Secret in ${ns} for the account and read it back (${phrase(secretRead.request)})`, secretCreate, accountsIn(ns));
    else if (secretRead) {
      const named = model.tokenSecrets.filter((s) => s.namespace === ns).map((s) => s.account);
      become(`${phrase(secretRead.request)} in ${ns}: its ${TOKEN_SECRET} Secret`, secretRead.grant, accountsIn(ns).filter((sa) => named.includes(sa.name)));
    }

    // bind: a RoleBinding to a role whose rules the creator lacks needs `bind` on that role
    // (https://kubernetes.io/docs/reference/access-authn-authz/rbac/#restrictions-on-role-binding-creation-or-update).
    const bindingWrite = firstAllowed(held, each(["create", "update", "patch"], ["rbac.authorization.k8s.io"], ["rolebindings"]), ns);
    if (bindingWrite) {
      for (const [key, rules] of model.roleRules) {
        const [kind, ref] = key.split(" ");
        if (kind === "Role" && !ref.startsWith(`${ns}/`)) continue;
        const name = kind === "Role" ? ref.slice(ns.length + 1) : ref;
        // The bind check asks in the binding's namespace (pkg/registry/rbac/escalation_check.go
        // BindingAuthorized), so a RoleBinding's `bind` on clusterroles counts there, cluster-scoped or not.
        const bindRequest = req("bind", "rbac.authorization.k8s.io", kind === "Role" ? "roles" : "clusterroles", name);
        const bind = held.grants.find((g) => (g.scope === null || g.scope === ns) && allows(g.rule, bindRequest));
        if (bind) out.push({ action: `${phrase(bindingWrite.request)} in ${ns} to ${key}, with bind on it`, grant: bind, to: { kind: "grants", label: `${key} in ${ns}`, grants: rules.map((rule) => ({ rule, scope: ns, via: `a RoleBinding it creates in ${ns} -> ${key}` })) } });
      }
    }
    // escalate: a Role may then be given rules its writer lacks (same page, "Restrictions on role creation or update").
    const escalate = grantFor(held.grants, req("escalate", "rbac.authorization.k8s.io", "roles"), ns);
    const roleWrite = firstAllowed(held, each(["create", "update", "patch"], ["rbac.authorization.k8s.io"], ["roles"]), ns);
    if (escalate && roleWrite && bindingWrite) out.push({ action: `escalate on roles in ${ns}: write a Role with any rule and bind it`, grant: escalate, to: { kind: "grants", label: `every right in ${ns}`, grants: [{ rule: { apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, scope: ns, via: `a Role it writes in ${ns}` }] } });
  }
  // Impersonating named users or groups (cluster-scoped: only cluster-wide grants); unnamed is cluster-admin below.
  for (const g of held.grants.filter((g) => g.scope === null && (g.rule.resourceNames ?? []).length > 0 && allows({ ...g.rule, resourceNames: [] }, req("impersonate", "", "users")))) {
    for (const name of g.rule.resourceNames!) out.push({ action: `impersonate user ${name}`, grant: g, to: { kind: "principal", principal: { kind: "User", name } } });
  }
  for (const g of held.grants.filter((g) => g.scope === null && (g.rule.resourceNames ?? []).length > 0 && allows({ ...g.rule, resourceNames: [] }, req("impersonate", "", "groups")))) {
    for (const name of g.rule.resourceNames!.filter((n) => n !== "system:masters")) out.push({ action: `impersonate group ${name}`, grant: g, to: { kind: "principal", principal: { kind: "Group", name } } });
  }
  out.push(...clusterAdminMoves(model, held));
  return out;
}

/** What counts as cluster-admin equivalent (the list and why: ./index.ts's header), from cluster-wide grants only. */
function clusterAdminMoves(model: RbacModel, held: Held): Move[] {
  const out: Move[] = [];
  const hit = (reason: string, requests: Request[]) => {
    const found = firstAllowed(held, requests, null);
    if (found) out.push({ action: `${phrase(found.request)} cluster-wide`, grant: found.grant, to: { kind: "cluster-admin", reason } });
  };
  hit("every verb on every resource", [req("*", "*", "*")]);
  hit("reads every namespace's Secrets", [req("get", "", "secrets"), req("list", "", "secrets")]);
  hit("starts or enters pods in every namespace, kube-system's controller accounts included", [...POD_WRITES, ...INTO_POD, req("create", "", "serviceaccounts/token"), req("impersonate", "", "serviceaccounts")]);
  const argo = model.deputies.argo;
  if (argo && firstAllowed({ grants: model.grantsOf(argo.account) }, [req("create", "", "pods")], null)) hit("has Argo start pods in every namespace as any account", ARGO_WRITES);
  if (firstAllowed(held, each(["create", "update", "patch"], ["rbac.authorization.k8s.io"], ["clusterrolebindings"]), null)) {
    hit("binds any ClusterRole, cluster-admin included", [req("bind", "rbac.authorization.k8s.io", "clusterroles", "cluster-admin")]);
  }
  hit("writes ClusterRoles with rules it lacks (escalate)", [req("escalate", "rbac.authorization.k8s.io", "clusterroles")]);
  hit("impersonates any user or group, system:masters included", [req("impersonate", "", "users"), req("impersonate", "", "groups"), req("impersonate", "", "groups", "system:masters")]);
  // https://kubernetes.io/docs/reference/access-authn-authz/certificate-signing-requests/#authorization: create
  // the CSR, update its approval, and approve on the signer (by name or its domain's `/*`); the
  // kube-apiserver-client signer then issues a client certificate for any name, O=system:masters included.
  const csrCreate = firstAllowed(held, [req("create", "certificates.k8s.io", "certificatesigningrequests")], null);
  const approval = firstAllowed(held, [req("update", "certificates.k8s.io", "certificatesigningrequests/approval"), req("patch", "certificates.k8s.io", "certificatesigningrequests/approval")], null);
  const signer = firstAllowed(held, [req("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client"), req("approve", "certificates.k8s.io", "signers", "kubernetes.io/*")], null);
  if (csrCreate && approval && signer) out.push({ action: "create certificatesigningrequests, update their approval and approve on signer kubernetes.io/kube-apiserver-client", grant: signer.grant, to: { kind: "cluster-admin", reason: "approves its own client certificate for O=system:masters" } });
  hit("writes admission webhooks or policies, which see or change every request", WEBHOOK_WRITES);
  hit("reaches every kubelet's API through nodes/proxy (exec in any pod)", [req("get", "", "nodes/proxy"), req("create", "", "nodes/proxy")]);
  hit("creates PersistentVolumes (a hostPath volume is the node's root)", [req("create", "", "persistentvolumes")]);
  return out;
}

/** Whether `grants` add any right the held ones lack, in its own scope. */
function gains(held: readonly Grant[], grants: readonly Grant[]): boolean {
  return grants.some((g) => !covers(held.filter((h) => h.scope === null || h.scope === g.scope).map((h) => h.rule), g.rule));
}

/** Every path from `start`: shortest first, one per target, each step from rights held at that point. */
export function escalationPaths(model: RbacModel, start: Principal): Path[] {
  const paths: Path[] = [];
  const seen = new Set<string>([principalKey(start)]);
  const queue: { steps: Step[]; held: Grant[] }[] = [{ steps: [], held: [...model.grantsOf(start)] }];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const move of moves(model, { grants: current.held })) {
      const key = targetKey(move.to);
      if (seen.has(key)) continue;
      const steps = [...current.steps, { action: move.action, grant: move.grant, to: move.to }];
      if (move.to.kind === "cluster-admin") {
        seen.add(key);
        paths.push({ start, steps });
        continue;
      }
      const grants = move.to.kind === "principal" ? model.grantsOf(move.to.principal) : move.to.grants;
      if (!gains(current.held, grants)) continue;
      seen.add(key);
      paths.push({ start, steps });
      queue.push({ steps, held: [...current.held, ...grants] });
    }
  }
  return paths;
}

/** `create pods in kubeflow ... [ClusterRole x via RoleBinding y: create on pods]` */
export function describeStep(step: Step): string {
  return `${step.action} -> ${targetLabel(step.to)}  [${step.grant.via}: ${describeRule(step.grant.rule)}]`;
}
