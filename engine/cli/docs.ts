// npm run docs: regenerates docs/config.md from the config schema, sdk/constraints.txt from the
// versions table, and the dashboards' pictures (docs/dashboards/*.svg) from their code.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfigReference } from "../../modules/config/docs";
import { sdkConstraints } from "../../modules/kfp/sdk";
import { dashboardPictures } from "../../modules/monitoring/dashboards/pictures";

const root = resolve(__dirname, "../..");
mkdirSync(join(root, "docs"), { recursive: true });
writeFileSync(join(root, "docs/config.md"), renderConfigReference());
console.log("wrote docs/config.md");
mkdirSync(join(root, "sdk"), { recursive: true });
writeFileSync(join(root, "sdk/constraints.txt"), sdkConstraints());
console.log("wrote sdk/constraints.txt");
for (const [file, svg] of Object.entries(dashboardPictures())) {
  mkdirSync(join(root, file, ".."), { recursive: true });
  writeFileSync(join(root, file), svg);
  console.log(`wrote ${file}`);
}
