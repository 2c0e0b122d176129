// The backup CronJob's and the restore Job's AWS CLI settings per object store, from offline plans of the
// example stacks: GCS through its XML API (endpoint, region "auto", checksums only when required, the
// HMAC key), AWS S3 left to the CLI's own regional endpoint with IRSA, MinIO through its Service. The
// round trip in backup-roundtrip.test.ts runs the scripts under the AWS CLI with the GCS plan's env.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { planStack, type PlanResult } from "../engine/plan";
import { awsCliSettings, BACKUP_NAME, RESTORE_NAME } from "../modules/backup";
import { ARTIFACT_KEY_SECRET } from "../modules/foundation/names";
import { findObject, REPO_ROOT, withRestore } from "./helpers";

/** The AWS CLI containers of the backup CronJob (upload) and of the restore Job (download) when planned. */
function cliContainers(plan: PlanResult): any[] {
  const cron = (findObject(plan, "CronJob", BACKUP_NAME) as any).spec.jobTemplate.spec.template.spec;
  const restore = (findObject(plan, "Job", RESTORE_NAME) as any)?.spec.template.spec;
  return [...cron.containers, ...(restore?.initContainers ?? [])].filter((c) => c.image.includes("aws-cli"));
}

/** A container's env: literal values, and `secret:<name>/<key>` for Secret references. */
function envMap(container: any): Record<string, string> {
  return Object.fromEntries(
    container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef ? `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}` : e.valueFrom ? JSON.stringify(e.valueFrom) : e.value]),
  );
}

const CHECKSUMS_WHEN_REQUIRED = { AWS_REQUEST_CHECKSUM_CALCULATION: "when_required", AWS_RESPONSE_CHECKSUM_VALIDATION: "when_required" };
const HMAC_KEY = { AWS_ACCESS_KEY_ID: `secret:${ARTIFACT_KEY_SECRET}/accesskey`, AWS_SECRET_ACCESS_KEY: `secret:${ARTIFACT_KEY_SECRET}/secretkey` };

describe("backup and restore AWS CLI settings per object store", () => {
  const plans: Record<string, PlanResult> = {};
  before(async () => {
    plans["gcp-dev"] = await planStack("gcp-dev", { root: withRestore("gcp-dev"), outDir: null, policyConfig: false });
    plans["gcp-prod"] = await planStack("gcp-prod", { root: REPO_ROOT, outDir: null, policyConfig: false });
    plans["aws-dev"] = await planStack("aws-dev", { root: withRestore("aws-dev"), outDir: null, policyConfig: false });
    plans.local = await planStack("local", { root: withRestore("local"), outDir: null, policyConfig: false });
    for (const [stack, plan] of Object.entries(plans)) assert.deepEqual(plan.problems, [], stack);
  });

  it("sends GCS backups and restores to GCS's XML API, region auto, no default checksums, with the HMAC key", () => {
    for (const stack of ["gcp-dev", "gcp-prod"]) {
      const containers = cliContainers(plans[stack]);
      assert.deepEqual(containers.map((c) => c.name), stack === "gcp-dev" ? ["upload", "download"] : ["upload"], stack);
      for (const c of containers) {
        const env = envMap(c);
        const expected = { S3_ENDPOINT_URL: "https://storage.googleapis.com", AWS_REGION: "auto", AWS_DEFAULT_REGION: "auto", ...CHECKSUMS_WHEN_REQUIRED, ...HMAC_KEY };
        for (const [name, value] of Object.entries(expected)) assert.equal(env[name], value, `${stack} ${c.name} ${name}`);
      }
    }
  });

  it("gives the GCS backups no cloud identity: the HMAC key is their only credential", () => {
    for (const stack of ["gcp-dev", "gcp-prod"]) {
      const account = findObject(plans[stack], "ServiceAccount", BACKUP_NAME) as any;
      assert.deepEqual(account.metadata.annotations ?? {}, {}, `${stack}: no Workload Identity or IAM role annotation`);
    }
  });

  it("leaves AWS S3 to the CLI's regional endpoint with its default checksums, and IRSA instead of keys", () => {
    const containers = cliContainers(plans["aws-dev"]);
    assert.deepEqual(containers.map((c) => c.name), ["upload", "download"]);
    for (const c of containers) {
      const env = envMap(c);
      assert.equal(env.AWS_REGION, "eu-west-1", c.name);
      assert.equal(env.AWS_DEFAULT_REGION, "eu-west-1", c.name);
      for (const name of ["S3_ENDPOINT_URL", "AWS_REQUEST_CHECKSUM_CALCULATION", "AWS_RESPONSE_CHECKSUM_VALIDATION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]) {
        assert.equal(env[name], undefined, `${c.name} ${name}`);
      }
    }
    const account = findObject(plans["aws-dev"], "ServiceAccount", BACKUP_NAME) as any;
    assert.match(account.metadata.annotations["eks.amazonaws.com/role-arn"], /^arn:aws:iam::/);
  });

  it("sends MinIO backups to its Service over HTTP with its keys, no default checksums", () => {
    const containers = cliContainers(plans.local);
    assert.deepEqual(containers.map((c) => c.name), ["upload", "download"]);
    for (const c of containers) {
      const env = envMap(c);
      const expected = { S3_ENDPOINT_URL: "http://minio-service.kubeflow:9000", AWS_REGION: "minio", ...CHECKSUMS_WHEN_REQUIRED, ...HMAC_KEY };
      for (const [name, value] of Object.entries(expected)) assert.equal(env[name], value, `${c.name} ${name}`);
    }
  });

  it("passes the endpoint to every AWS CLI call of the scripts", () => {
    const data = (findObject(plans["gcp-dev"], "ConfigMap", `${BACKUP_NAME}-scripts`) as any).data;
    for (const script of ["upload.sh", "download.sh"]) {
      assert.match(data[script], /aws --endpoint-url "\$S3_ENDPOINT_URL" "\$@"/, script);
      const calls = data[script].split("\n").filter((line: string) => /(^|[\s(])aws /.test(line) && !line.startsWith("  if"));
      assert.deepEqual(calls, [], `${script}: every call goes through s3(), none calls aws directly`);
    }
  });

  it("derives the endpoint from the contract: only S3's own regional endpoint for the region goes without one", () => {
    const only = (store: { endpoint: string; secure: boolean; region: string }) => awsCliSettings(store).S3_ENDPOINT_URL;
    assert.equal(only({ endpoint: "s3.eu-west-1.amazonaws.com", secure: true, region: "eu-west-1" }), undefined);
    assert.equal(only({ endpoint: "s3.cn-north-1.amazonaws.com.cn", secure: true, region: "cn-north-1" }), undefined);
    assert.equal(only({ endpoint: "s3.eu-west-1.amazonaws.com", secure: true, region: "eu-central-1" }), "https://s3.eu-west-1.amazonaws.com", "another region's endpoint is dialled as given");
    assert.equal(only({ endpoint: "storage.googleapis.com", secure: true, region: "auto" }), "https://storage.googleapis.com");
    assert.equal(only({ endpoint: "minio.example:9000", secure: false, region: "minio" }), "http://minio.example:9000");
  });
});
