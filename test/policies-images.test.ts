// Image and chart pins: each policy passes what the versions table pins and fails what drifts from it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ImageResolver, mirrored } from "../modules/images";
import { images, refusedKfpVersions, releases } from "../modules/versions";
import { argoMatchesKfp } from "../policies/src/rules/argo-matches-kfp";
import { helmReleasesPinned } from "../policies/src/rules/helm-releases-pinned";
import { imageDigests } from "../policies/src/rules/image-digests";
import { imagesPinned } from "../policies/src/rules/images-pinned";
import { kfpImagesPinned } from "../policies/src/rules/kfp-images-pinned";
import { container, deployment, violations } from "./policies-helpers";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const table = new ImageResolver();
const withImage = (image: string, extra: Record<string, unknown> = {}) => deployment({ containers: [container({ image, ...extra })] });
const kfpRepo = images.kfpApiServer.repository;

describe("kfp-images-pinned", () => {
  it("passes the table's KFP images, with or without a digest, and under a mirror", async () => {
    const digest = `sha256:${"a".repeat(64)}`;
    for (const ref of [table.ref("kfpApiServer"), `${table.ref("kfpApiServer")}@${digest}`, new ImageResolver({ registry: "mirror.example.com:5000/ml" }).ref("kfpFrontend")]) {
      assert.deepEqual(await violations(kfpImagesPinned, DEPLOYMENT, withImage(ref)), [], ref);
    }
  });

  it("refuses every known-bad KFP version with its reason", async () => {
    for (const [version, reason] of Object.entries(refusedKfpVersions)) {
      const found = await violations(kfpImagesPinned, DEPLOYMENT, withImage(`${kfpRepo}:${version}`));
      assert.equal(found.length, 1);
      assert.match(found[0] as string, new RegExp(`^\\[kfp-images-pinned\\] Deployment kubeflow/app: container main image ${kfpRepo}:${version} is KFP ${version}, which is refused: `));
      assert.ok((found[0] as string).includes(reason), "names the reason");
      assert.ok((found[0] as string).includes(`Fix: use ${kfpRepo}:${releases.kfp.version}`), "names the fix");
    }
  });

  it("fails another tag, a missing tag, and KFP's runtime images set through env vars", async () => {
    const [other] = (await violations(kfpImagesPinned, DEPLOYMENT, withImage(`${kfpRepo}:2.5.0`))) as string[];
    assert.match(other, new RegExp(`is tagged 2\\.5\\.0, not the KFP release ${releases.kfp.version.replace(/\./g, "\\.")}`));
    assert.match(((await violations(kfpImagesPinned, DEPLOYMENT, withImage(kfpRepo))) as string[])[0], /has no tag/);
    const env = withImage(table.ref("kfpApiServer"), { env: [{ name: "V2_LAUNCHER_IMAGE", value: `${images.kfpLauncher.repository}:2.13.0` }] });
    assert.match(((await violations(kfpImagesPinned, DEPLOYMENT, env)) as string[])[0], /container main env V2_LAUNCHER_IMAGE .*kfp-launcher:2\.13\.0 is tagged 2\.13\.0/);
  });

  it("leaves images outside kubeflow/ alone", async () => {
    assert.deepEqual(await violations(kfpImagesPinned, DEPLOYMENT, withImage("docker.io/library/busybox:latest")), []);
  });
});

describe("argo-matches-kfp", () => {
  const controller = (image: string, executor: string) => withImage(image, { args: ["--configmap", "workflow-controller-configmap", "--executor-image", executor] });

  it("passes the table's controller and executor", async () => {
    assert.deepEqual(await violations(argoMatchesKfp, DEPLOYMENT, controller(table.ref("argoWorkflowController"), table.ref("argoExec"))), []);
    const config = { metadata: { name: "workflow-controller-configmap" }, data: { executor: `image: ${table.ref("argoExec")}\nimagePullPolicy: IfNotPresent\n` } };
    assert.deepEqual(await violations(argoMatchesKfp, CONFIG_MAP, config), []);
  });

  it("fails a controller, an --executor-image or a ConfigMap executor at another version", async () => {
    const old = "v3.5.14";
    const flag = (await violations(argoMatchesKfp, DEPLOYMENT, controller(table.ref("argoWorkflowController"), `${images.argoExec.repository}:${old}`))) as string[];
    assert.equal(flag.length, 1);
    assert.match(flag[0], new RegExp(`container main flag --executor-image ${images.argoExec.repository}:${old} is tagged ${old}, not Argo ${releases.argo.version}`));
    const ctrl = (await violations(argoMatchesKfp, DEPLOYMENT, controller(`${images.argoWorkflowController.repository}:latest`, table.ref("argoExec")))) as string[];
    assert.match(ctrl[0], /workflow-controller:latest is tagged latest/);
    const config = { metadata: { name: "workflow-controller-configmap" }, data: { executor: `image: ${images.argoExec.repository}:${old}\n` } };
    assert.match(((await violations(argoMatchesKfp, CONFIG_MAP, config)) as string[])[0], /ConfigMap key executor \(image\)/);
  });

  it("fails an executor that is not argoexec at all", async () => {
    const found = (await violations(argoMatchesKfp, DEPLOYMENT, controller(table.ref("argoWorkflowController"), "ghcr.io/example/exec:1.0.0"))) as string[];
    assert.match(found[0], /the Argo executor is set by container main flag --executor-image to ghcr\.io\/example\/exec:1\.0\.0, which is not argoexec/);
  });
});

describe("images-pinned", () => {
  it("passes every image of the versions table", async () => {
    const spec = deployment({ containers: Object.keys(images).map((name, i) => container({ name: `c${i}`, image: table.ref(name as keyof typeof images) })) });
    assert.deepEqual(await violations(imagesPinned, DEPLOYMENT, spec), []);
  });

  it("fails latest, a missing tag, an implied registry and a registry off the allow-list, init containers included", async () => {
    const spec = deployment({
      initContainers: [container({ name: "init", image: "docker.io/library/busybox:latest" })],
      containers: [container({ image: "docker.io/library/nginx" }), container({ name: "hub", image: "nginx:1.27.0" }), container({ name: "far", image: "registry.example.com/team/app:1.0.0" })],
    });
    const found = (await violations(imagesPinned, DEPLOYMENT, spec)) as string[];
    assert.equal(found.length, 4, found.join("\n"));
    assert.match(found[0], /init container init image docker\.io\/library\/busybox:latest uses the floating tag latest/);
    assert.match(found[1], /container main image docker\.io\/library\/nginx has no tag/);
    assert.match(found[2], /container hub image nginx:1\.27\.0 leaves the registry implied\. Fix: spell it out \(docker\.io\/library\/nginx\)/);
    assert.match(found[3], /comes from registry\.example\.com, which is not an allowed registry/);
  });

  it("judges tag shapes: version prefixes float unless a digest follows, exact versions and stamps pin", async () => {
    const digest = `sha256:${"b".repeat(64)}`;
    const verdicts: Record<string, boolean> = {
      "8.4": false, "1.36": false, "v3": false, "3-alpine": false, "3.19-slim": false, "1.36.1": true, "8.4.6": true, "v1.35.2": true,
      "4.6.0-4.8.3-distroless": true, "1.35.6-20260714": true, "20260714": true, "RELEASE.2019-08-14T20-37-41Z": true,
      "latest": false, "stable": false, "sha-3f2a9c1": true, "8.4@digest": true, "v3@digest": true,
    };
    for (const [shape, pins] of Object.entries(verdicts)) {
      const ref = `docker.io/library/app:${shape.replace("@digest", `@${digest}`)}`;
      const found = (await violations(imagesPinned, DEPLOYMENT, withImage(ref))) as string[];
      assert.equal(found.length === 0, pins, `${shape}: ${found.join("; ")}`);
      if (!pins) assert.match(found[0], new RegExp(`image ${ref.replace(/[.]/g, "\\.")} uses the (floating tag|version prefix)`));
    }
    // Images whose releases have two parts can lower the bar in the policy config.
    assert.deepEqual(await violations(imagesPinned, DEPLOYMENT, withImage("docker.io/library/app:8.4"), { minVersionParts: 2 }), []);
  });

  it("takes the allow-list from config, so a mirror can replace the public registries", async () => {
    const mirror = "mirror.example.com";
    const ref = new ImageResolver({ registry: mirror }).ref("kfpApiServer");
    assert.equal(ref, `${mirrored(kfpRepo, mirror)}:${releases.kfp.version}`);
    assert.equal(((await violations(imagesPinned, DEPLOYMENT, withImage(ref))) as string[]).length, 1);
    assert.deepEqual(await violations(imagesPinned, DEPLOYMENT, withImage(ref), { allowedRegistries: [mirror] }), []);
    assert.equal(((await violations(imagesPinned, DEPLOYMENT, withImage(table.ref("mysql")), { allowedRegistries: [mirror] })) as string[]).length, 1);
  });

  it("reads images out of ConfigMap keys ending in image", async () => {
    const found = (await violations(imagesPinned, CONFIG_MAP, { metadata: { name: "pipeline-install-config" }, data: { cacheImage: "ghcr.io/containerd/busybox" } })) as string[];
    assert.match(found[0], /^\[images-pinned\] ConfigMap pipeline-install-config: ConfigMap key cacheImage ghcr\.io\/containerd\/busybox has no tag/);
  });
});

describe("image-digests", () => {
  it("is advisory by default and passes a digest, reporting one line per resource otherwise", async () => {
    assert.equal(imageDigests.enforcementLevel, "advisory");
    assert.deepEqual(await violations(imageDigests, DEPLOYMENT, withImage(`${table.ref("mysql")}@sha256:${"b".repeat(64)}`)), []);
    const found = (await violations(imageDigests, DEPLOYMENT, deployment({ containers: [container({ image: table.ref("mysql") }), container({ name: "b", image: table.ref("minio") })] }))) as string[];
    assert.equal(found.length, 1);
    assert.ok(found[0].includes(table.ref("mysql")) && found[0].includes(table.ref("minio")));
  });
});

describe("helm-releases-pinned", () => {
  const RELEASE = "kubernetes:helm.sh/v3:Release";
  const CHART = "kubernetes:helm.sh/v4:Chart";

  it("passes an exact version from a named https or oci repository, and a chart from a local folder", async () => {
    assert.deepEqual(await violations(helmReleasesPinned, RELEASE, { chart: "gpu-operator", version: "v25.3.0", repositoryOpts: { repo: "https://helm.ngc.nvidia.com/nvidia" } }), []);
    assert.deepEqual(await violations(helmReleasesPinned, CHART, { chart: "oci://ghcr.io/example/charts/app", version: "1.2.3" }), []);
    assert.deepEqual(await violations(helmReleasesPinned, CHART, { chart: "./charts/app" }), []);
  });

  it("fails a missing version, a range and a chart resolved through a local helm repo alias", async () => {
    const found = (await violations(helmReleasesPinned, RELEASE, { chart: "nvidia/gpu-operator" })) as string[];
    assert.equal(found.length, 2);
    assert.match(found[0], /chart nvidia\/gpu-operator has no version/);
    assert.match(found[1], /names no repository.*Fix: set repositoryOpts\.repo/);
    const range = (await violations(helmReleasesPinned, CHART, { chart: "app", version: "^1.2.0", repositoryOpts: { repo: "http://charts.example.com" } })) as string[];
    assert.match(range[0], /version \^1\.2\.0 is a range/);
    assert.match(range[1], /is not https:\/\/ or oci:\/\//);
  });

  it("applies the repository allow-list from config, and declines other resource types", async () => {
    const props = { chart: "app", version: "1.0.0", repositoryOpts: { repo: "https://charts.example.com" } };
    assert.equal(((await violations(helmReleasesPinned, RELEASE, props, { allowedRepositories: ["https://mirror.example.com/"] })) as string[]).length, 1);
    assert.equal(await violations(helmReleasesPinned, DEPLOYMENT, withImage(table.ref("mysql"))), "notApplicable");
  });
});
