// The platform namespace every foundation creates: KFP's control plane, its data services and, in
// standalone KFP, every pipeline step run there, so its Pod Security level is the stack's choice.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { objectMeta } from "./metadata";
import { podSecurityLabels, type PodSecurityLevel } from "./pod-security";

export function platformNamespace(
  resourceName: string,
  name: string,
  podSecurity: PodSecurityLevel,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(resourceName, { metadata: objectMeta(name, undefined, podSecurityLabels(podSecurity)) }, opts);
}
