// The digest lock against a real registry: Debian's docker-registry (the Distribution registry) started
// here, images pushed through its HTTP API; `--resolve` records what the registry serves, `--check`
// catches a re-pushed tag; and the anonymous Bearer-token flow public registries use, against a stand-in.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as netServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { checkLock, resolveLock } from "../engine/image-lock";
import { manifestDigest, parseBearerChallenge } from "../engine/registry";
import { ImageResolver } from "../modules/images";
import { LOCK_FILE, readLock } from "../modules/images-lock";
import { images } from "../modules/versions";
import { REPO_ROOT } from "./helpers";

const missing = spawnSync("sh", ["-c", "command -v docker-registry"]).status !== 0;
const sha256 = (data: Buffer | string) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = netServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Pushes one image (config + one layer + manifest) under name:tag; returns the manifest's digest. */
async function push(base: string, name: string, tag: string, layerText: string): Promise<string> {
  const blob = async (data: Buffer) => {
    const start = await fetch(`${base}/v2/${name}/blobs/uploads/`, { method: "POST" });
    assert.equal(start.status, 202);
    const location = new URL(start.headers.get("location")!, base);
    location.searchParams.set("digest", sha256(data));
    const put = await fetch(location, { method: "PUT", body: new Uint8Array(data), headers: { "Content-Type": "application/octet-stream" } });
    assert.equal(put.status, 201, await put.text());
    return { digest: sha256(data), size: data.length };
  };
  const config = await blob(Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } })));
  const layer = await blob(Buffer.from(layerText));
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.v2+json",
    config: { mediaType: "application/vnd.docker.container.image.v1+json", ...config },
    layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", ...layer }],
  });
  const res = await fetch(`${base}/v2/${name}/manifests/${tag}`, { method: "PUT", body: manifest, headers: { "Content-Type": "application/vnd.docker.distribution.manifest.v2+json" } });
  assert.equal(res.status, 201, await res.text());
  assert.equal(res.headers.get("docker-content-digest"), sha256(manifest));
  return sha256(manifest);
}

describe("image digest lock against the Distribution registry", { skip: !process.env.CI && missing }, () => {
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
