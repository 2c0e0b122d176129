// A throwaway S3 endpoint on loopback for tests of scripts that talk to S3 (the s3rver package), and
// the AWS CLI those scripts call: Debian's `awscli` (v2), found ahead of any other `aws` on PATH.
// The server runs in a child process: tests drive the CLI with spawnSync, which would otherwise block
// the very event loop the server answers on.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An AWS CLI v2: Debian's package, or the one GitHub's runners carry; a pip-installed v1 may shadow both on PATH. */
export const AWS_CLI = ["/usr/bin/aws", "/usr/local/bin/aws"].find(
  (path) => existsSync(path) && /^aws-cli\/2\./.test(spawnSync(path, ["--version"], { encoding: "utf8" }).stdout ?? ""),
);

/** Why the S3 round trip cannot run here, or undefined when it can. CI installs the CLI (.ci/run). */
export function awsCliMissing(): string | undefined {
  return AWS_CLI ? undefined : "no AWS CLI v2 in /usr/bin or /usr/local/bin (apt-get install awscli)";
}

export interface S3Server {
  endpoint: string;
  /** Credentials s3rver accepts. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

const SERVER = `
const S3rver = require(process.argv[1]);
const [port, directory, bucket] = process.argv.slice(2);
new S3rver({ port: Number(port), address: "127.0.0.1", directory, silent: true, configureBuckets: [{ name: bucket }] })
  .run()
  .then(() => console.log("ready"), (e) => { console.error(e); process.exit(1); });
`;

export async function startS3(bucket: string): Promise<S3Server> {
  const directory = mkdtempSync(join(tmpdir(), "kfp-s3-"));
  const port = 30000 + Math.floor(Math.random() * 20000);
  const child: ChildProcess = spawn(process.execPath, ["-e", SERVER, require.resolve("s3rver"), String(port), directory, bucket], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
    child.once("exit", (code) => reject(new Error(`s3rver exited with ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    stop: async () => {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(undefined)));
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
