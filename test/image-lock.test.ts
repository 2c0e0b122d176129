// The digest lock against a real registry: Debian's docker-registry (the Distribution registry) started
// here, images pushed through its HTTP API; `--resolve` records what the registry serves, `--check`
// catches a re-pushed tag; and the anonymous Bearer-token flow public registries use, against a stand-in.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkLock, resolveLock } from "../engine/image-lock";
import { manifestDigest, parseBearerChallenge, pullBytes } from "../engine/registry";
import { ImageResolver } from "../modules/images";
import { LOCK_FILE, readLock } from "../modules/images/lock";
import { images } from "../modules/versions";
import { freePort, REPO_ROOT, runCli } from "./helpers";
import { skipWithout, toolMissing } from "./system-tools";

const missing = toolMissing("docker-registry", "docker-registry");
const sha256 = (data: Buffer | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Uploads one blob (monolithic upload); returns its descriptor. */
async function pushBlob(base: string, name: string, data: Buffer): Promise<{ digest: string; size: number }> {
  const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST" });
  assert.equal(start.status, 202);
  const location = new URL(start.headers.get("location")!, base);
  location.searchParams.set("digest", sha256(data));
  const put = await fetch(location, { method: "PUT", body: new Uint8Array(data), headers: { "Content-Type": "application/octet-stream" } });
  assert.equal(put.status, 201, await put.text());
  return { digest: sha256(data), size: data.length };
}

/** Puts a manifest (or index) under a tag or digest; returns its digest. */
async function pushManifest(base: string, name: string, reference: string, manifest: Record<string, unknown>): Promise<string> {
  const body = JSON.stringify(manifest);
  const res = await fetch(`${base}/v2/${name}/manifests/${reference}`, { method: "PUT", body, headers: { "Content-Type": String(manifest.mediaType) } });
  assert.equal(res.status, 201, await res.text());
  assert.equal(res.headers.get("docker-content-digest"), sha256(body));
  return sha256(body);
}

/** Pushes one image (config + layers + manifest) under name:tag; returns the manifest's digest. */
async function push(base: string, name: string, tag: string, ...layerTexts: string[]): Promise<string> {
  const config = await pushBlob(base, name, Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
  const layers = [];
  for (const text of layerTexts) layers.push({ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...(await pushBlob(base, name, Buffer.from(text))) });
  return pushManifest(base, name, tag, {
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
    layers,
  });
}

describe("image digest lock against the Distribution registry", { skip: skipWithout(missing) }, () => {
  let registry: ChildProcess;
  let host: string;
  let base: string;
  const dir = mkdtempSync(join(tmpdir(), "kfp-registry-"));
  const lockFile = join(dir, "images.lock.json");

  before(async () => {
    const port = await freePort();
    host = `127.0.0.1:${port}`;
    base = `http://${host}`;
    const config = join(dir, "config.yml");
    writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "data")}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n`);
    registry = spawn("docker-registry", ["serve", config], { stdio: "ignore" });
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`${base}/v2/`).then((r) => r.ok, () => false);
      if (up) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("docker-registry did not start");
  });
  after(() => registry?.kill());

  const pins = () => ({
    mysql: { ...images.mysql, repository: `${host}/library/mysql` },
    cacheImage: { ...images.cacheImage, repository: `${host}/library/busybox` },
  });

  it("records the digest each pinned tag has on the registry, and the resolver pins with it", async () => {
    const mysql = await push(base, "library/mysql", images.mysql.tag, "mysql layer");
    const busybox = await push(base, "library/busybox", images.cacheImage.tag, "busybox layer");
    const overrides = { [host]: base };
    const lines = await resolveLock(lockFile, { overrides, pins: pins() });
    assert.deepEqual(lines, [`${host}/library/mysql:${images.mysql.tag}@${mysql}`, `${host}/library/busybox:${images.cacheImage.tag}@${busybox}`]);
    const lock = readLock(lockFile);
    assert.deepEqual(lock.mysql, { reference: `${host}/library/mysql:${images.mysql.tag}`, digest: mysql });
    // The table's own references carry a digest only when the lock was resolved for that repository:tag.
    const tableLock = { mysql: { reference: `${images.mysql.repository}:${images.mysql.tag}`, digest: mysql } };
    assert.equal(new ImageResolver({}, tableLock).ref("mysql"), `${images.mysql.repository}:${images.mysql.tag}@${mysql}`);
    assert.equal(new ImageResolver({}, { mysql: { ...tableLock.mysql, reference: `${images.mysql.repository}:8.4.5` } }).ref("mysql"), `${images.mysql.repository}:${images.mysql.tag}`);
    assert.deepEqual(await checkLock(lockFile, { overrides, pins: pins() }), []);
  });

  it("catches a re-pushed tag, and a pin the lock was not resolved for", async () => {
    const overrides = { [host]: base };
    const moved = await push(base, "library/busybox", images.cacheImage.tag, "a different busybox layer");
    const problems = await checkLock(lockFile, { overrides, pins: { ...pins(), mysql: { ...pins().mysql, tag: "8.4.7" } } });
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(problems[0], new RegExp(`^mysql: ${host.replace(/\./g, "\\.")}/library/mysql:8\\.4\\.7 is not in .* \\(it holds .*mysql:${images.mysql.tag.replace(/\./g, "\\.")}\\)\\. Fix: npm run images -- --resolve`));
    assert.match(problems[1], /^cacheImage: .*busybox:1\.36\.1 moved: locked sha256:[0-9a-f]{64}, the registry now serves /);
    assert.ok(problems[1].includes(moved));
  });

  it("sums what a node downloads for one platform: config and compressed layers, through a multi-platform index", async () => {
    const name = "kubeflow/kfp-driver";
    const layers = ["x".repeat(3000), "y".repeat(500)];
    const amd64 = await push(base, name, "amd64-only", ...layers);
    const arm64 = await push(base, name, "arm64-only", "z".repeat(9000));
    const size = async (tag: string) => Number((await (await fetch(`${base}/v2/${name}/manifests/${tag}`, { headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } })).json()).config.size);
    const configBytes = await size("amd64-only");
    const entry = (digest: string, architecture: string) => ({ mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest, size: 1, platform: { os: "linux", architecture } });
    // The registry checks each entry's size against the manifest it names: take them from the registry.
    const manifestSize = async (digest: string) => Number((await fetch(`${base}/v2/${name}/manifests/${digest}`, { method: "HEAD", headers: { Accept: "application/vnd.docker.distribution.manifest.v2+json" } })).headers.get("content-length"));
    await pushManifest(base, name, images.kfpDriver.tag, {
      schemaVersion: 2,
      mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
      manifests: [{ ...entry(arm64, "arm64"), size: await manifestSize(arm64) }, { ...entry(amd64, "amd64"), size: await manifestSize(amd64) }],
    });
    const overrides = { [host]: base };
    assert.equal(await pullBytes(`${host}/${name}:${images.kfpDriver.tag}`, undefined, overrides), configBytes + 3500);
    assert.equal(await pullBytes(`${host}/${name}:amd64-only`, undefined, overrides), configBytes + 3500);
    await assert.rejects(pullBytes(`${host}/${name}:${images.kfpDriver.tag}`, { os: "linux", architecture: "s390x" }, overrides), /no linux\/s390x image in its index/);
  });

  it("prints what a step's first start downloads on a bare node (npm run images -- --sizes)", async () => {
    const repo = (name: "kfpDriver" | "kfpLauncher" | "argoExec") => images[name].repository.slice(images[name].repository.indexOf("/") + 1);
    await push(base, repo("kfpDriver"), images.kfpDriver.tag, "d".repeat(2 * 1024 * 1024));
    await push(base, repo("kfpLauncher"), images.kfpLauncher.tag, "l".repeat(1024 * 1024));
    await push(base, repo("argoExec"), images.argoExec.tag, "a".repeat(1024 * 1024));
    const run = runCli("images", ["--sizes", "local", "--registry", `ghcr.io=${base}`, "--registry", `quay.io=${base}`, "--mbps", "1"]);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.replace(/\n$/, "").split("\n");
    assert.match(lines[0], /^ +2\.0 MiB {2}ghcr\.io\/kubeflow\/kfp-driver:2\.14\.0$/);
    // Three images of 2, 1 and 1 MiB (plus their small configs): about 4.2 s at 1 MB/s.
    assert.match(lines[3], /^cpu node: a step's first start waits for 4\.0 MiB, 4\.2 s at 1 MB\/s plus unpacking; 0 with the pre-pull DaemonSet/);
    assert.equal(lines.length, 4, "local has no GPU pools");
    assert.equal(runCli("images", ["--sizes", "local", "--mbps", "fast"]).status, 2);
  });

  it("names a tag the registry does not have", async () => {
    await assert.rejects(manifestDigest(`${host}/library/mysql:0.0.0`, { [host]: base }), /library\/mysql:0\.0\.0: no such tag/);
  });
});

describe("anonymous Bearer tokens (Docker Hub, ghcr.io, quay.io, gcr.io)", () => {
  let server: Server;
  let base: string;
  const digest = sha256("manifest");
  const seen: string[] = [];

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, "http://x");
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      if (url.pathname === "/token") {
        const ok = url.searchParams.get("service") === "registry.test" && url.searchParams.get("scope") === "repository:team/app:pull";
        res.writeHead(ok ? 200 : 400, { "Content-Type": "application/json" }).end(JSON.stringify(ok ? { token: "anon-token" } : {}));
      } else if (req.headers.authorization !== "Bearer anon-token") {
        res.writeHead(401, { "WWW-Authenticate": `Bearer realm="${base}/token",service="registry.test",scope="repository:team/app:pull"` }).end();
      } else {
        res.writeHead(200, { "Docker-Content-Digest": digest }).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it("parses a challenge, fetches a token for the pull scope and retries with it", async () => {
    assert.deepEqual(parseBearerChallenge('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:kubeflow/kfp-api-server:pull"'), {
      realm: "https://ghcr.io/token",
      service: "ghcr.io",
      scope: "repository:kubeflow/kfp-api-server:pull",
    });
    assert.equal(parseBearerChallenge('Basic realm="x"'), undefined);
    assert.equal(await manifestDigest("registry.test/team/app:1.0.0", { "registry.test": base }), digest);
    assert.deepEqual(seen, ["HEAD /v2/team/app/manifests/1.0.0", "GET /token?service=registry.test&scope=repository%3Ateam%2Fapp%3Apull", "HEAD /v2/team/app/manifests/1.0.0"]);
  });
});

describe("the repository's lock", () => {
  it("is absent or well-formed, names only tags of the versions table, and once present makes digests mandatory in prod", () => {
    const lock = readLock();
    for (const [name, entry] of Object.entries(lock)) {
      const pin = images[name as keyof typeof images];
      assert.ok(pin, `${name} is an image of the table`);
      assert.ok(entry!.reference.startsWith(`${pin.repository}:`), name);
    }
    const prod = JSON.parse(readFileSync(join(REPO_ROOT, "policies/config/prod.json"), "utf8"));
    const level = typeof prod["image-digests"] === "string" ? prod["image-digests"] : prod["image-digests"]?.enforcementLevel;
    if (existsSync(LOCK_FILE)) assert.equal(level, "mandatory", "images.lock.json is committed: set image-digests to mandatory in policies/config/prod.json");
    else assert.equal(level, "advisory", "without a lock, digests cannot be required yet");
  });
});
