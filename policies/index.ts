// The policy pack the Pulumi CLI starts (`pulumi preview --policy-pack policies`). Constructing it starts
// the analyzer's gRPC server, so nothing but the CLI (or engine/policy-runner.ts) may import this file.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./src";

new PolicyPack(PACK_NAME, {
  description: "kfp-platform guardrails: KFP and Argo pins, pinned images and charts, container limits, GPU driver pins, object-storage pipeline root, data safety, team access, team escalation paths.",
  policies,
  // Unconfigured runs are strict; policies/config/<env>.json relaxes what dev needs relaxed.
  enforcementLevel: "mandatory",
});
