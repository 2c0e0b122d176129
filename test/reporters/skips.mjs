// A second reporter for `npm test`: after the spec output, every skipped suite and test with its reason
// (each names what to install), then one line counting skips, and the plain closing line
// "tests: N passed, N failed, N skipped". A machine without the system packages stays green locally,
// but never silently: the count is the last thing printed.
export default async function* skips(source) {
  const skipped = [];
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { name, file, skip, details, nesting } = event.data;
    const suite = details?.type === "suite";
    if (skip !== undefined && skip !== false) {
      skipped.push({ name, file, suite, nesting, reason: typeof skip === "string" && skip !== "" ? skip : "(no reason given)" });
    } else if (!suite) {
      if (event.type === "test:pass") passed++;
      else failed++;
    }
  }
  const where = (file) => (file ? ` (${file.slice(file.lastIndexOf("/test/") + 1)})` : "");
  const suites = skipped.filter((s) => s.suite).length;
  const tests = skipped.length - suites;
  if (skipped.length > 0) {
    yield "\nskipped (CI installs what they need and fails instead: bash .ci/system-packages):\n";
    for (const s of skipped) yield `  ${s.suite ? "suite" : "test"} ${s.name}${where(s.file)}: ${s.reason}\n`;
  }
  yield `skipped: ${suites} suite${suites === 1 ? "" : "s"}, ${tests} test${tests === 1 ? "" : "s"}\n`;
  yield `tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped\n`;
}
