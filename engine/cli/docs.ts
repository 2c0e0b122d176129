// npm run docs: regenerates docs/config.md from the config schema, docs/scaling.md's tables from the
// sizing arithmetic, sdk/constraints.txt from the
// versions table, and the dashboards' pictures (docs/dashboards/*.svg) from their code.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderConfigReference } from "../../modules/config/docs";
import { sdkConstraints } from "../../modules/kfp/sdk";
import { dashboardPictures } from "../../modules/monitoring/dashboards/pictures";
import { renderScalingDoc, scalingBlocks } from "../scaling-doc";

const root = resolve(__dirname, "../..");
mkdirSync(join(root, "docs"), { recursive: true });
writeFileSync(join(root, "docs/config.md"), renderConfigReference());
console.log("wrote docs/config.md");
const scaling = join(root, "docs/scaling.md");
writeFileSync(scaling, renderScalingDoc(readFileSync(scaling, "utf8"), scalingBlocks(root)));
console.log("wrote docs/scaling.md's tables (modules/config/sizing.ts)");
mkdirSync(join(root, "sdk"), { recursive: true });
writeFileSync(join(root, "sdk/constraints.txt"), sdkConstraints());
console.log("wrote sdk/constraints.txt");
for (const [file, svg] of Object.entries(dashboardPictures())) {
  mkdirSync(join(root, file, ".."), { recursive: true });
  writeFileSync(join(root, file), svg);
  console.log(`wrote ${file}`);
}
