// A throwaway S3 endpoint on loopback for tests of scripts that talk to S3 (the s3rver package), and
// the AWS CLI those scripts call: Debian's `awscli` (v2), found ahead of any other `aws` on PATH.
// The server runs in a child process: tests drive the CLI with spawnSync, which would otherwise block
// the very event loop the server answers on. Optionally behind a front that records every request and,
// when strict, refuses what third-party S3 endpoints such as GCS's XML API refuse from newer CLIs (checksum
// headers, aws-chunked bodies: modules/backup/index.ts, awsCliSettings).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** An AWS CLI v2: Debian's package, or the one GitHub's runners carry; a pip-installed v1 may shadow both on PATH. */
export const AWS_CLI = ["/usr/bin/aws", "/usr/local/bin/aws"].find(
  (path) => existsSync(path) && /^aws-cli\/2\./.test(spawnSync(path, ["--version"], { encoding: "utf8" }).stdout ?? ""),
);

/** Why the S3 round trip cannot run here, or undefined when it can. CI installs the CLI (.ci/run). */
export function awsCliMissing(): string | undefined {
  return AWS_CLI ? undefined : "no AWS CLI v2 in /usr/bin or /usr/local/bin (apt-get install awscli)";
}

/**
 * An AWS CLI with the default data-integrity protections (CLI v2 >= 2.23.0, or v1 on botocore >= 1.36,
 * such as a pip-installed v1): it sends upload checksums unless AWS_REQUEST_CHECKSUM_CALCULATION says
 * otherwise, as the backup image's 2.37.4 does. Debian 12's awscli (2.9.19) predates them.
 */
export const AWS_CLI_WITH_CHECKSUMS: string | undefined = (() => {
  const home = process.env.HOME ?? "/root";
  const pyenv = join(home, ".pyenv/versions");
  const candidates = [
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "aws")),
    ...(existsSync(pyenv) ? readdirSync(pyenv).map((v) => join(pyenv, v, "bin/aws")) : []),
  ];
  const newer = (version: string, floor: number[]) => {
    const v = version.split(".").map(Number);
    for (let i = 0; i < floor.length; i++) if (v[i] !== floor[i]) return (v[i] ?? 0) > floor[i];
    return true;
  };
  return candidates.find((path) => {
    if (!existsSync(path)) return false;
    const out = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 30_000 });
    const text = `${out.stdout ?? ""}${out.stderr ?? ""}`;
    const v2 = /^aws-cli\/(2\.\d+\.\d+)/.exec(text)?.[1];
    const botocore = /botocore\/(\d+\.\d+\.\d+)/.exec(text)?.[1];
    return (v2 !== undefined && newer(v2, [2, 23, 0])) || (botocore !== undefined && newer(botocore, [1, 36, 0]));
  });
})();

export interface S3Server {
  endpoint: string;
  /** The server itself, past any front: for the test's own set-up, which no check should see. */
  directEndpoint: string;
  /** Credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The requests the front saw (empty without one). */
  requests(): FrontRequest[];
  stop(): Promise<void>;
}

/** One request as the strict front saw it. */
export interface FrontRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  host: string;
  /** The region in SigV4's credential scope (Authorization header), when signed. */
  region?: string;
  /** Headers a strict front refused the request for; empty when forwarded to s3rver. */
  refused: string[];
}

const SERVER = `
const S3rver = require(process.argv[1]);
const [port, directory, buckets, frontPort, log, mode] = process.argv.slice(2);
const http = require("http");
const fs = require("fs");
// What third-party S3 endpoints refuse from CLIs with default integrity protections (GCS's XML API among
// them): checksum headers and trailers, aws-chunked bodies, requests for response checksums.
const REFUSED = (name, value) =>
  /^x-amz-checksum-/.test(name) || name === "x-amz-sdk-checksum-algorithm" || name === "x-amz-trailer" ||
  (name === "content-encoding" && /aws-chunked/.test(value)) || (name === "x-amz-content-sha256" && /^STREAMING-/.test(value));
function front() {
  return new Promise((resolve) => http.createServer((req, res) => {
    const refused = mode === "strict" ? Object.entries(req.headers).filter(([n, v]) => REFUSED(n, String(v))).map(([n]) => n) : [];
    const region = /Credential=[^/]+\\/\\d{8}\\/([^/]+)\\//.exec(req.headers.authorization || "");
    fs.appendFileSync(log, JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, region: region ? region[1] : undefined, refused }) + "\\n");
    if (refused.length) {
      req.resume();
      res.writeHead(400, { "content-type": "application/xml" });
      res.end("<?xml version='1.0' encoding='UTF-8'?><Error><Code>InvalidArgument</Code><Message>Unsupported header: " + refused.join(", ") + "</Message></Error>");
      return;
    }
    // expect is never signed (botocore auth.py); s3rver answers the body it is sent.
    const { expect, ...headers } = req.headers;
    const upstream = http.request({ host: "127.0.0.1", port: Number(port), method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    upstream.on("error", (e) => { res.writeHead(502); res.end(String(e)); });
    req.pipe(upstream);
  }).listen(Number(frontPort), "127.0.0.1", resolve));
}
new S3rver({ port: Number(port), address: "127.0.0.1", directory, silent: true, configureBuckets: buckets.split(",").map((name) => ({ name })) })
  .run()
  .then(() => (frontPort ? front() : undefined))
  .then(() => console.log("ready"), (e) => { console.error(e); process.exit(1); });
`;

/**
 * s3rver with `buckets`. With a front, clients dial a server that records every request before passing it
 * on: `strict` also refuses what GCS's XML API refuses and is dialled by a host name (a virtual-hosted
 * request would miss: <bucket>.localhost does not resolve); `record` passes everything and is dialled by
 * IP, which keeps any client path-style (bucket in the path, as the recorded requests are read).
 */
export async function startS3(buckets: string | readonly string[], options: { front?: "strict" | "record" } = {}): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), "kfp-s3-"));
  const log = join(mkdtempSync(join(tmpdir(), "kfp-s3-front-")), "requests.jsonl");
  const port = 30000 + Math.floor(Math.random() * 20000);
  const frontPort = options.front ? port + 1 : undefined;
  const args = [require.resolve("s3rver"), String(port), directory, [buckets].flat().join(","), ...(frontPort ? [String(frontPort), log, options.front!] : [])];
  const child: ChildProcess = spawn(process.execPath, ["-e", SERVER, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint: frontPort ? `http://${options.front === "strict" ? "localhost" : "127.0.0.1"}:${frontPort}` : `http://127.0.0.1:${port}`,
    directEndpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    requests: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as FrontRequest) : []),
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(undefined)));
      rmSync(directory, { recursive: true, force: true });
      rmSync(join(log, ".."), { recursive: true, force: true });
    },
  };
}
