// Realistic outputs per resource type, so everything downstream of a resource runs offline as it would
// after `pulumi up`. Values are derived from the resource's name and inputs, never random, so two plans
// of the same program are identical (diffs stay readable).
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { awsOutputs, providerName } from "./mocks-aws";
import { gcpOutputs, gcpProviderSettings } from "./mocks-gcp";

type Inputs = Record<string, any>;
type OutputFn = (inputs: Inputs, name: string) => Inputs;

/** A stable pseudo-random string of `length` characters from `alphabet`, seeded by `seed`. */
export function stableString(seed: string, length: number, alphabet: string): string {
  let out = "";
  for (let round = 0; out.length < length; round++) {
    for (const byte of createHash("sha256").update(`${seed}/${round}`).digest()) {
      if (out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

function passwordAlphabet(inputs: Inputs): string {
  let alphabet = "";
  if (inputs.lower !== false) alphabet += "abcdefghijklmnopqrstuvwxyz";
  if (inputs.upper !== false) alphabet += "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  if (inputs.numeric !== false) alphabet += "0123456789";
  if (inputs.special !== false) alphabet += inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?";
  return alphabet;
}

/** A PEM block with stable, well-formed base64 content (not a usable key or certificate). */
function pem(label: string, seed: string): string {
  const body = Buffer.from(stableString(seed, 600, "abcdefghijklmnopqrstuvwxyz0123456789")).toString("base64");
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

/** Outputs each type adds to its inputs. Types not listed echo their inputs, as most providers do. */
const typeOutputs: Record<string, OutputFn> = {
  "random:index/randomPassword:RandomPassword": (inputs, name) => {
    const result = stableString(`password/${name}`, Number(inputs.length ?? 16), passwordAlphabet(inputs));
    return { result, bcryptHash: `$2a$10$${stableString(`bcrypt/${name}`, 53, "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}` };
  },
  "random:index/randomString:RandomString": (inputs, name) => ({
    result: stableString(`string/${name}`, Number(inputs.length ?? 16), passwordAlphabet(inputs)),
  }),
  "tls:index/privateKey:PrivateKey": (_inputs, name) => ({
    privateKeyPem: pem("RSA PRIVATE KEY", `key/${name}`),
    privateKeyPemPkcs8: pem("PRIVATE KEY", `key8/${name}`),
    publicKeyPem: pem("PUBLIC KEY", `pub/${name}`),
    publicKeyFingerprintSha256: `SHA256:${stableString(`fp/${name}`, 43, "ABCDEFabcdef0123456789+/")}`,
  }),
  "tls:index/selfSignedCert:SelfSignedCert": (_inputs, name) => ({ certPem: pem("CERTIFICATE", `ca/${name}`), readyForRenewal: false }),
  "tls:index/certRequest:CertRequest": (_inputs, name) => ({ certRequestPem: pem("CERTIFICATE REQUEST", `csr/${name}`) }),
  "tls:index/locallySignedCert:LocallySignedCert": (_inputs, name) => ({ certPem: pem("CERTIFICATE", `cert/${name}`), readyForRenewal: false }),
  "random:index/randomId:RandomId": (inputs, name) => {
    const bytes = createHash("sha256").update(`id/${name}`).digest().subarray(0, Number(inputs.byteLength ?? 8));
    return { hex: bytes.toString("hex"), b64Url: bytes.toString("base64url"), dec: BigInt(`0x${bytes.toString("hex")}`).toString() };
  },
};

/** Types whose id is not the resource name (the engine gives providers a UUID-like id). */
function mockId(type: string, name: string): string {
  if (type.startsWith("pulumi:providers:")) return createHash("sha256").update(`provider/${name}`).digest("hex").slice(0, 36);
  return `${name}-id`;
}

export interface PlanMocks extends pulumi.runtime.Mocks {}

/**
 * Mocks for a plan. In `preview` mode new resources get no id and no computed outputs, exactly what
 * `pulumi preview` sees for resources that do not exist yet.
 */
/** Data sources the program reads during `pulumi up`, with realistic results. */
const defaultCalls: Record<string, OutputFn> = {
  // An RDS-managed master secret: {"username","password"} (RDS user guide, "Password management with Secrets Manager").
  "aws:secretsmanager/getSecretVersion:getSecretVersion": (inputs) => ({
    arn: inputs.secretId,
    secretString: JSON.stringify({ username: "kfpadmin", password: stableString(`managed/${inputs.secretId}`, 32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") }),
  }),
};

export function planMocks(preview: boolean, extraCalls: Record<string, OutputFn> = {}): PlanMocks {
  const calls = { ...defaultCalls, ...extraCalls };
  // AWS outputs carry the region of the explicit provider each resource uses.
  const awsRegions = new Map<string, string>();
  // GCP outputs carry the project and region of the explicit provider each resource uses.
  const gcpSettings = new Map<string, { project: string; region: string }>();
  return {
    newResource(args) {
      if (args.type === "pulumi:providers:aws" && args.inputs.region) awsRegions.set(args.name, String(args.inputs.region));
      if (args.type === "pulumi:providers:gcp") gcpSettings.set(args.name, gcpProviderSettings(args.inputs));
      if (!args.custom) return { id: undefined, state: args.inputs };
      if (preview) return { id: undefined, state: args.inputs };
      const aws = awsOutputs[args.type];
      const region = awsRegions.get(providerName(args.provider) ?? "") ?? "us-east-1";
      const gcp = gcpOutputs[args.type];
      const settings = gcpSettings.get(providerName(args.provider, "gcp") ?? "") ?? gcpProviderSettings({});
      const { id, ...extra } = aws
        ? aws(args.inputs, args.name, region)
        : gcp
          ? gcp(args.inputs, args.name, settings.project, settings.region)
          : (typeOutputs[args.type]?.(args.inputs, args.name) ?? {});
      return { id: args.id || id || mockId(args.type, args.name), state: { ...args.inputs, ...extra } };
    },
    call(args) {
      const fn = calls[args.token];
      if (!fn) throw new Error(`the offline engine has no mock for invoke ${args.token}; add one to engine/mocks.ts`);
      return fn(args.inputs, args.token);
    },
  };
}
