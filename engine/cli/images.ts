// npm run images -- <stack>...
// Prints every image the stacks pull (pipeline-time driver, launcher, executor and cache images
// included), one per line as `pulled-reference<TAB>upstream-source`, for mirroring. Exit 1 on an
// invalid stack, 2 on bad usage.
import { resolve } from "node:path";
import { ImageResolver } from "../../modules/images";
import { parseStackConfig } from "../../modules/config/parse";
import { imagesOf } from "../images";
import { planStack } from "../plan";
import { loadStackFile } from "../stack-file";

async function run(stacks: string[]): Promise<number> {
  if (stacks.length === 0 || stacks.some((s) => s.startsWith("-"))) {
    console.error("usage: npm run images -- <stack>...");
    return 2;
  }
  const root = resolve(__dirname, "../..");
  for (const stack of stacks) {
    const plan = await planStack(stack, { root, outDir: null });
    if (!plan.ok) {
      console.error(plan.problems.join("\n"));
      return 1;
    }
    const file = loadStackFile(root, stack);
    const table = new ImageResolver(parseStackConfig(file.config, file.file).images).all();
    for (const ref of imagesOf(plan)) {
      const source = table.find((t) => t.ref === ref)?.source ?? "(not in modules/versions.ts)";
      console.log(`${ref}\t${source}`);
    }
  }
  return 0;
}

run(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
