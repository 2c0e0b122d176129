// npm run docs: regenerates docs/config.md from the config schema and sdk/constraints.txt from the
// versions table.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfigReference } from "../../modules/config/docs";
import { sdkConstraints } from "../../modules/kfp/sdk";

const root = resolve(__dirname, "../..");
mkdirSync(join(root, "docs"), { recursive: true });
writeFileSync(join(root, "docs/config.md"), renderConfigReference());
console.log("wrote docs/config.md");
mkdirSync(join(root, "sdk"), { recursive: true });
writeFileSync(join(root, "sdk/constraints.txt"), sdkConstraints());
console.log("wrote sdk/constraints.txt");
