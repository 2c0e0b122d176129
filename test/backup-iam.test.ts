// The backup and restore scripts of aws-prod and aws-prod-dr run for real (MariaDB, the AWS CLI, a loopback
// S3 server named with the plans' buckets), and every S3 request they sent, as a recording front saw it,
// judged by a real IAM policy evaluator against the planned role, bucket policy and key policy of the
// identity that sends it in the cluster (IRSA: the kfp-db-backup and kfp-db-restore service accounts).
// So the permission proof covers what the scripts do, not only what cloud-calls.ts says they do: a script
// change that sends a new kind of request, or a policy that stops allowing one, fails here.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { fingerprintOf, kfpDatabase, planned, runStep, wipe } from "./backup-rig";
import { awsStackFacts, deniedRequests, s3RequestAction, type AwsStackFacts, type RecordedS3Request } from "./cloud-permissions";
import { REPO_ROOT, tempRoot } from "./helpers";
import { mariadbMissing, type MariaDb } from "./mariadb";
import { AWS_CLI, awsCliMissing, startS3, type S3Server } from "./s3-server";

const missing = mariadbMissing() ?? awsCliMissing();
const BACKUP_ROLE = "irsa:kubeflow:kfp-db-backup";
const RESTORE_ROLE = "irsa:kubeflow:kfp-db-restore";
const OLD = "20200101T000000Z";

describe("the AWS stacks' backup and restore requests, judged by the IAM policy evaluator", { skip: !process.env.CI && missing }, () => {
  let db: MariaDb;
  let s3: S3Server;
  let prod: AwsStackFacts;
  let dr: AwsStackFacts;
  let prodRig: ReturnType<typeof planned>;
  let drRig: ReturnType<typeof planned>;
  /** What prod's nightly backup sent, kept for the mutation check. */
  let prodBackupRequests: RecordedS3Request[] = [];

  /** The test's own set-up and inspection, past the front: nothing the evaluator judges. */
  const admin = (...args: string[]) =>
    spawnSync(AWS_CLI!, ["--endpoint-url", s3.directEndpoint, ...args], {
      env: { ...process.env, AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey, AWS_DEFAULT_REGION: "us-east-1" },
      encoding: "utf8",
    });
  const plant = (bucket: string, key: string) => {
    const file = join(mkdtempSync(join(tmpdir(), "kfp-plant-")), "kfp.sql");
    writeFileSync(file, "an old dump");
    assert.equal(admin("s3", "cp", file, `s3://${bucket}/${key}`).status, 0);
  };
  const keys = (bucket: string) => admin("s3", "ls", "--recursive", `s3://${bucket}/`).stdout;
  /** Runs `steps` of a rig and returns the requests they sent. */
  const send = (rig: ReturnType<typeof planned>, env: Record<string, string>, steps: string[]): RecordedS3Request[] => {
    const from = s3.requests().length;
    for (const step of steps) {
      const r = runStep(rig.scripts, step, env);
      assert.equal(r.status, 0, `${step}: ${r.out}`);
    }
    return s3.requests().slice(from);
  };
  const operations = (requests: RecordedS3Request[]) => [...new Set(requests.map((r) => s3RequestAction(r).operation))].sort();

  before(async () => {
    if (missing) throw new Error(`${missing}; CI must install it`);
    const prodPlan: PlanResult = await planStack("aws-prod", { root: REPO_ROOT, outDir: null, policyConfig: false });
    // The DR drill: aws-prod-dr restoring prod's newest backup from the replica.
    const drFile = readFileSync(join(REPO_ROOT, "stacks/Pulumi.aws-prod-dr.yaml"), "utf8");
    const drPlan = await planStack("aws-prod-dr", { root: tempRoot({ "aws-prod-dr": `${drFile.trimEnd()}\n  kfp-platform:restore: { backup: latest, from: kfp-prod }\n` }), outDir: null, policyConfig: false });
    assert.deepEqual([...prodPlan.problems, ...drPlan.problems], []);
    prod = awsStackFacts("aws-prod", prodPlan);
    dr = awsStackFacts("aws-prod-dr", drPlan, prodPlan, { kmsKeyArn: /kmsKeyArn: (arn:aws:kms:\S+)/.exec(drFile)![1] });

    db = await kfpDatabase();
    s3 = await startS3([prod.bucket, dr.bucket], { front: "record" });
    // The pods get credentials from IRSA; here the server's keys stand in, and every request is judged as the role's.
    const servers = (work: string) => ({
      DB_HOST: "127.0.0.1",
      DB_PORT: String(db.port),
      S3_ENDPOINT_URL: s3.endpoint,
      BACKUP_DIR: work,
      HOME: work,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
    });
    prodRig = planned(prodPlan, s3, servers(mkdtempSync(join(tmpdir(), "kfp-iam-prod-"))));
    drRig = planned(drPlan, s3, servers(mkdtempSync(join(tmpdir(), "kfp-iam-dr-"))));
    assert.equal(prodRig.backupEnv.BUCKET, prod.bucket);
    assert.equal(drRig.backupEnv.BUCKET, dr.bucket);
    assert.equal(drRig.restoreEnv.PREFIX, prod.prefixes.backups, "the drill restores from prod's folder");
  });
  after(async () => {
    await db?.stop();
    await s3?.stop();
  });

  it("aws-prod: the nightly backup's every request, prune included, is Allowed for the backup role", async () => {
    plant(prod.bucket, `${prod.prefixes.backups}/${OLD}/kfp.sql`);
    prodBackupRequests = send(prodRig, prodRig.backupEnv, ["dump", "upload"]);
    assert.deepEqual(operations(prodBackupRequests), ["DeleteObject", "HeadObject", "ListObjectsV2", "PutObject"]);
    assert.ok(prodBackupRequests.every((r) => r.url.startsWith(`/${prod.bucket}`)), "path-style, to the planned bucket");
    assert.deepEqual(await deniedRequests(prod, BACKUP_ROLE, prodBackupRequests), []);
    assert.doesNotMatch(keys(prod.bucket), new RegExp(OLD), "the old backup was pruned");
  });

  it("aws-prod-dr: the drill restores prod's replicated backup, every request Allowed for the restore role", async () => {
    // What S3 replication would have copied: prod's backups folder, into the replica.
    const sync = admin("s3", "sync", `s3://${prod.bucket}/${prod.prefixes.backups}/`, `s3://${dr.bucket}/${prod.prefixes.backups}/`);
    assert.equal(sync.status, 0, sync.stderr);
    const before = fingerprintOf(db);
    wipe(db);
    const requests = send(drRig, drRig.restoreEnv, ["download", "load"]);
    assert.deepEqual(fingerprintOf(db), before, "0 rows lost");
    assert.deepEqual(operations(requests), ["GetObject", "HeadObject", "ListObjectsV2"]);
    assert.deepEqual(await deniedRequests(dr, RESTORE_ROLE, requests), []);
  });

  it("aws-prod-dr: the drill's own backup prunes only its own folder, and could not delete prod's", async () => {
    plant(dr.bucket, `${dr.prefixes.backups}/${OLD}/kfp.sql`);
    plant(dr.bucket, `${prod.prefixes.backups}/${OLD}/kfp.sql`);
    const requests = send(drRig, drRig.backupEnv, ["dump", "upload"]);
    assert.ok(operations(requests).includes("DeleteObject"), "the prune ran");
    assert.deepEqual(await deniedRequests(dr, BACKUP_ROLE, requests), []);
    const left = keys(dr.bucket);
    assert.doesNotMatch(left, new RegExp(`${dr.prefixes.backups}/${OLD}/`));
    assert.match(left, new RegExp(`${prod.prefixes.backups}/${OLD}/kfp.sql`), "prod's replicated backups untouched");
    // Had the script listed the wrong folder, the role would still be refused the delete.
    const astray = { method: "DELETE", url: `/${dr.bucket}/${prod.prefixes.backups}/${OLD}/kfp.sql` };
    assert.match((await deniedRequests(dr, BACKUP_ROLE, [astray])).join("\n"), /DeleteObject\) needs s3:DeleteObject .*: (Implicitly|Explicitly)Denied/);
  });

  it("fails naming the request when the backup role loses s3:DeleteObject", async () => {
    assert.ok(prodBackupRequests.length > 0, "the nightly backup ran first");
    const role = prod.roles.get(BACKUP_ROLE)!;
    const withoutDelete = {
      ...role,
      policies: role.policies.map((p) => ({ ...p, policy: { ...p.policy, Statement: p.policy.Statement.map((s: any) => ({ ...s, Action: [s.Action].flat().filter((a: string) => a !== "s3:DeleteObject") })) } })),
    };
    const denied = await deniedRequests({ ...prod, roles: new Map([...prod.roles, [BACKUP_ROLE, withoutDelete]]) }, BACKUP_ROLE, prodBackupRequests);
    assert.equal(denied.length, 1, denied.join("\n"));
    assert.match(denied[0], new RegExp(`DELETE /${prod.bucket}/${prod.prefixes.backups}/${OLD}/kfp.sql \\(DeleteObject\\) needs s3:DeleteObject`));
  });
});

describe("S3 requests read as IAM actions", () => {
  const cases: [string, string, string, string][] = [
    ["HEAD", "/b", "HeadBucket", "s3:ListBucket"],
    ["GET", "/b?list-type=2&prefix=backups%2Fmysql%2F&encoding-type=url", "ListObjectsV2", "s3:ListBucket"],
    ["GET", "/b?location", "GetBucketLocation", "s3:GetBucketLocation"],
    ["PUT", "/b/k/kfp.sql", "PutObject", "s3:PutObject"],
    ["POST", "/b/k/kfp.sql?uploads", "CreateMultipartUpload", "s3:PutObject"],
    ["PUT", "/b/k/kfp.sql?partNumber=2&uploadId=u", "UploadPart", "s3:PutObject"],
    ["POST", "/b/k/kfp.sql?uploadId=u", "CompleteMultipartUpload", "s3:PutObject"],
    ["DELETE", "/b/k/kfp.sql?uploadId=u", "AbortMultipartUpload", "s3:AbortMultipartUpload"],
    ["DELETE", "/b/k/kfp.sql", "DeleteObject", "s3:DeleteObject"],
    ["HEAD", "/b/k/kfp.sql", "HeadObject", "s3:GetObject"],
    ["GET", "/b/k/kfp.sql", "GetObject", "s3:GetObject"],
  ];
  for (const [method, url, operation, action] of cases) {
    it(`${method} ${url} is ${operation}, authorised as ${action}`, () => {
      const read = s3RequestAction({ method, url });
      assert.equal(read.operation, operation);
      assert.equal(read.action, action);
    });
  }
  it("reads a listing's prefix as s3:prefix and a key with its encoding undone", () => {
    assert.deepEqual(s3RequestAction({ method: "GET", url: "/b?list-type=2&prefix=backups%2Fmysql%2Fkfp-prod%2F" }).context, { "s3:prefix": "backups/mysql/kfp-prod/" });
    assert.equal(s3RequestAction({ method: "GET", url: "/b/backups/a%20b/kfp.sql" }).resource, "arn:aws:s3:::b/backups/a b/kfp.sql");
  });
  it("refuses a request it cannot read rather than pass it unjudged", () => {
    assert.throws(() => s3RequestAction({ method: "POST", url: "/b?delete" }), /no S3 operation known for POST \/b\?delete/);
    assert.throws(() => s3RequestAction({ method: "PUT", url: "/b/k?acl" }), /no S3 operation known/);
  });
});
