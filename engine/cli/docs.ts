// npm run docs: regenerates docs/config.md from the config schema.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfigReference } from "../../modules/config/docs";

const root = resolve(__dirname, "../..");
mkdirSync(join(root, "docs"), { recursive: true });
writeFileSync(join(root, "docs/config.md"), renderConfigReference());
console.log("wrote docs/config.md");
