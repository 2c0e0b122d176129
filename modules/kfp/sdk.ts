// The pip constraints file for pipeline authors: the KFP SDK packages that compile for the pinned
// backend, from the versions table (docs/sdk.md says why mixing versions fails).
import { kfpSdk, releases } from "../versions";

export function sdkConstraints(): string {
  const lines = [
    `# KFP ${releases.kfp.version} backend: the SDK packages that compile pipelines it accepts.`,
    "# Generated from modules/versions.ts (kfpSdk) by `npm run docs`; use: pip install -c constraints.txt kfp kfp-kubernetes",
    ...Object.entries(kfpSdk).flatMap(([name, pin]) => [`# ${pin.why}`, `${name}==${pin.version}`]),
  ];
  return `${lines.join("\n")}\n`;
}
