// The multi-user gateway's nginx configuration, run by Debian's nginx against stub upstreams: a forged
// kubeflow-userid never reaches the UI or the API (HTTP or gRPC), with or without a login, in any number
// of copies or letter case; the logged-in user's identity, and only it, reaches the UI; callers' Bearer
// tokens still reach the API; the namespace list and the Central Dashboard stand-in need a login; a
// download or an upload larger than the pod's temporary space passes whole, through either door.
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import * as http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { dashboardLib } from "../modules/kfp/multi-user/dashboard-lib";
import { DASHBOARD_LIB_PATH, gatewayConfig, NAMESPACES_PATH, USERID_HEADER } from "../modules/kfp/multi-user/gateway-config";
import { freePort } from "./helpers";

const nginxMissing = spawnSync("sh", ["-c", "command -v nginx || test -x /usr/sbin/nginx"]).status !== 0;
const NGINX = "/usr/sbin/nginx";
const ALICE = "alice@acme.example";

/** More than the gateway's temporary space: the test gives nginx none at all (see `before`). */
const LARGE = Buffer.alloc(6 * 1024 * 1024, "kfp-artifact ");
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * An HTTP stub that records the headers of every request and answers with `answer`; `/large` answers
 * LARGE, and a request body is answered with its length and digest.
 */
function httpStub(answer: (req: { url: string; headers: IncomingHttpHeaders }) => { status: number; headers?: Record<string, string>; body?: string }) {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url?.endsWith("/large")) return void res.writeHead(200, { "content-length": String(LARGE.length) }).end(LARGE);
      if (req.method === "POST") {
        const body = Buffer.concat(chunks);
        return void res.writeHead(200).end(JSON.stringify({ length: body.length, sha256: sha256(body) }));
      }
      const a = answer({ url: req.url ?? "/", headers: req.headers });
      res.writeHead(a.status, a.headers).end(a.body ?? "");
    });
  });
  return { server, seen };
}

/**
 * GET `path` and read the body as a slow client does (nothing for half a second, so nginx's memory
 * buffers fill and it would spill to a temporary file), then everything; resolves however it ends.
 */
function slowDownload(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.pause();
      setTimeout(() => res.resume(), 500);
      res.on("data", (c: Buffer) => chunks.push(c));
      const done = () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks), complete: res.complete });
      res.on("end", done);
      res.on("close", done);
    });
    req.on("error", reject);
    req.end();
  });
}

function post(port: number, path: string, body: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: "POST", headers: { ...headers, "content-length": String(body.length) } }, (res) => {
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Values of a header as the upstream received them (every copy). */
const received = (headers: IncomingHttpHeaders, name: string): string[] => {
  const v = headers[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

function get(port: number, path: string, headers: Record<string, string | string[]> = {}): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("multi-user gateway (Debian's nginx, live)", { skip: !process.env.CI && nginxMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), "kfp-gateway-"));
  let nginx: ChildProcess;
  const ports = { ui: 0, http: 0, grpc: 0, namespaces: 0 };
  const oauth = httpStub(({ url, headers }) => {
    if (url.startsWith("/oauth2/auth")) {
      return headers.cookie === "_oauth2_proxy=alice" ? { status: 202, headers: { "X-Auth-Request-Email": ALICE } } : { status: 401 };
    }
    return { status: 200, body: "oauth2-proxy" };
  });
  const ui = httpStub(() => ({ status: 200, body: "ui" }));
  const api = httpStub(() => ({ status: 200, body: "api" }));
  const grpcSeen: http2.IncomingHttpHeaders[] = [];
  const grpc = http2.createServer();
  grpc.on("stream", (stream, headers) => {
    grpcSeen.push(headers);
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end();
  });
  const servers: (Server | http2.Http2Server)[] = [oauth.server, ui.server, api.server, grpc];

  before(async () => {
    if (nginxMissing) throw new Error("nginx is not installed; CI must install Debian's nginx");
    const upstreamPorts = await Promise.all(servers.map(() => freePort()));
    await Promise.all(servers.map((s, i) => new Promise<void>((r) => s.listen(upstreamPorts[i], "127.0.0.1", r))));
    Object.assign(ports, { ui: await freePort(), http: await freePort(), grpc: await freePort(), namespaces: await freePort() });
    const staticDir = join(dir, "static");
    const tempDir = join(dir, "tmp");
    mkdirSync(staticDir);
    mkdirSync(tempDir);
    // A temporary space that holds nothing: nginx's temp paths for proxied responses and request bodies
    // are files, so every temporary write fails, as on a full emptyDir (a 6 MB download through a 1 MiB
    // one arrived cut short with status 200). Whatever passes here never needed the disk.
    for (const path of ["proxy", "client_body"]) writeFileSync(join(tempDir, path), "");
    writeFileSync(join(staticDir, DASHBOARD_LIB_PATH.slice(1)), dashboardLib());
    const config = gatewayConfig({
      upstreams: { oauth2Proxy: `127.0.0.1:${upstreamPorts[0]}`, ui: `127.0.0.1:${upstreamPorts[1]}`, apiHttp: `127.0.0.1:${upstreamPorts[2]}`, apiGrpc: `127.0.0.1:${upstreamPorts[3]}` },
      namespacesByUser: { [ALICE]: ["vision", "nlp"], "bob@acme.example": ["nlp"] },
      staticDir,
      tempDir,
      ports,
    });
    writeFileSync(join(dir, "nginx.conf"), config);
    // nginx started as root serves from worker processes running as nobody.
    for (const d of [dir, staticDir, tempDir]) chmodSync(d, 0o777);
    const check = spawnSync(NGINX, ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], { encoding: "utf8" });
    assert.equal(check.status, 0, check.stderr);
    nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "inherit"] });
    for (let i = 0; i < 100; i++) {
      if ((await get(ports.http, "/up").then(() => true, () => false))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("nginx did not start");
  });
  after(() => {
    nginx?.kill();
    for (const s of servers) s.close();
  });

  it("sends a request without a login to sign in, and nothing to the UI", async () => {
    const before = ui.seen.length;
    const r = await get(ports.ui, "/pipeline/", { [USERID_HEADER]: ALICE });
    assert.equal(r.status, 302);
    assert.match(String(r.headers.location), /^\/oauth2\/start\?rd=/);
    assert.equal(ui.seen.length, before, "the UI saw no request");
  });

  it("gives the UI the logged-in user's identity, and never a forged one in any copy or case", async () => {
    for (const forged of [undefined, "admin@acme.example", ["admin@acme.example", "root@acme.example"]]) {
      const headers: Record<string, string | string[]> = { cookie: "_oauth2_proxy=alice" };
      if (forged) headers[USERID_HEADER] = forged;
      const r = await get(ports.ui, "/apis/v2beta1/runs", headers);
      assert.equal(r.status, 200);
      assert.deepEqual(received(ui.seen.at(-1)!, USERID_HEADER), [ALICE], `forged: ${JSON.stringify(forged)}`);
    }
    await get(ports.ui, "/", { cookie: "_oauth2_proxy=alice", "KubeFlow-UserID": "admin@acme.example" });
    assert.deepEqual(received(ui.seen.at(-1)!, USERID_HEADER), [ALICE], "another letter case is the same header");
  });

  it("strips the header on the API's HTTP door and keeps the caller's Bearer token", async () => {
    for (const forged of [ALICE, [ALICE, "admin@acme.example"]]) {
      const r = await get(ports.http, "/apis/v2beta1/experiments", { [USERID_HEADER]: forged, authorization: "Bearer sa-token" });
      assert.equal(r.status, 200);
      const seen = api.seen.at(-1)!;
      assert.deepEqual(received(seen, USERID_HEADER), [], `forged: ${JSON.stringify(forged)}`);
      assert.equal(seen.authorization, "Bearer sa-token");
    }
  });

  it("strips the header on the API's gRPC door and keeps the caller's authorization metadata", async () => {
    const client = http2.connect(`http://127.0.0.1:${ports.grpc}`);
    try {
      const status = await new Promise<string>((resolve, reject) => {
        const stream = client.request({
          ":method": "POST",
          ":path": "/api.RunService/CreateRun",
          "content-type": "application/grpc",
          te: "trailers",
          [USERID_HEADER]: ALICE,
          authorization: "Bearer sa-token",
        });
        let grpcStatus = "";
        stream.on("trailers", (t) => (grpcStatus = String(t["grpc-status"])));
        stream.on("end", () => resolve(grpcStatus));
        stream.on("error", reject);
        stream.resume();
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
      assert.equal(status, "0", "the upstream's gRPC answer comes back through");
    } finally {
      client.close();
    }
    const seen = grpcSeen.at(-1)!;
    assert.equal(seen[":path"], "/api.RunService/CreateRun");
    assert.equal(seen[USERID_HEADER], undefined);
    assert.equal(seen.authorization, "Bearer sa-token");
  });

  it("passes a download larger than its temporary space whole to a slow client, through the UI door and the API's", async () => {
    for (const [door, port, headers] of [["UI", ports.ui, { cookie: "_oauth2_proxy=alice" }], ["API", ports.http, {}]] as const) {
      const r = await slowDownload(port, "/artifacts/large", headers);
      assert.equal(r.status, 200, door);
      assert.equal(r.body.length, LARGE.length, `${door}: ${r.body.length} of ${LARGE.length} bytes arrived`);
      assert.ok(r.complete, door);
      assert.equal(sha256(r.body), sha256(LARGE), door);
    }
  });

  it("passes an upload larger than its temporary space whole, through the UI door and the API's", async () => {
    for (const [door, port, headers] of [["UI", ports.ui, { cookie: "_oauth2_proxy=alice" }], ["API", ports.http, {}]] as const) {
      const r = await post(port, "/apis/v2beta1/pipelines/upload", LARGE, headers);
      assert.equal(r.status, 200, `${door}: ${r.body.slice(0, 200)}`);
      assert.deepEqual(JSON.parse(r.body), { length: LARGE.length, sha256: sha256(LARGE) }, door);
    }
  });

  it("lists the user's team namespaces, and only after a login", async () => {
    const r = await get(ports.ui, NAMESPACES_PATH, { cookie: "_oauth2_proxy=alice", [USERID_HEADER]: "bob@acme.example", "x-kfp-user": "bob@acme.example" });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), ["nlp", "vision"]);
    assert.equal((await get(ports.ui, NAMESPACES_PATH)).status, 302);
  });

  it("serves the Central Dashboard stand-in to logged-in users", async () => {
    const r = await get(ports.ui, DASHBOARD_LIB_PATH, { cookie: "_oauth2_proxy=alice" });
    assert.equal(r.status, 200);
    assert.match(String(r.headers["content-type"]), /javascript/);
    assert.equal(r.body, dashboardLib());
    assert.equal((await get(ports.ui, DASHBOARD_LIB_PATH)).status, 302);
  });
});
