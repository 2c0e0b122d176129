// Realistic outputs of the GCP resources the `gcp` foundation creates: self links and ids in the
// provider's project, the GKE endpoint and CA, service account e-mails, Cloud SQL connection names and
// private IPs. Deterministic: derived from names and inputs.
import { createHash } from "node:crypto";

type Inputs = Record<string, any>;
export type GcpOutputFn = (inputs: Inputs, name: string, project: string, region: string) => Inputs;

const hex = (seed: string, length: number) => createHash("sha256").update(seed).digest("hex").slice(0, length);
const selfLink = (project: string, path: string) => `https://www.googleapis.com/compute/v1/projects/${project}/${path}`;

export const gcpOutputs: Record<string, GcpOutputFn> = {
  "gcp:compute/network:Network": (i, _n, project) => ({ id: `projects/${project}/global/networks/${i.name}`, selfLink: selfLink(project, `global/networks/${i.name}`) }),
  "gcp:compute/subnetwork:Subnetwork": (i, _n, project, region) => ({
    id: `projects/${project}/regions/${region}/subnetworks/${i.name}`,
    selfLink: selfLink(project, `regions/${region}/subnetworks/${i.name}`),
    gatewayAddress: String(i.ipCidrRange).replace(/0\/\d+$/, "1"),
  }),
  "gcp:compute/router:Router": (i, _n, project, region) => ({ id: `projects/${project}/regions/${region}/routers/${i.name}` }),
  "gcp:compute/routerNat:RouterNat": (i, _n, project, region) => ({ id: `${project}/${region}/${i.router}/${i.name}` }),
  "gcp:container/cluster:Cluster": (i, name, project) => ({
    id: `projects/${project}/locations/${i.location}/clusters/${i.name}`,
    endpoint: `34.${parseInt(hex(name, 2), 16)}.${parseInt(hex(`${name}/2`, 2), 16)}.10`,
    masterAuth: { clusterCaCertificate: Buffer.from(`-----BEGIN CERTIFICATE-----\n${hex(`ca/${name}`, 64)}\n-----END CERTIFICATE-----\n`).toString("base64") },
    masterVersion: i.minMasterVersion,
    selfLink: `https://container.googleapis.com/v1/projects/${project}/locations/${i.location}/clusters/${i.name}`,
  }),
  "gcp:container/nodePool:NodePool": (i, _n, project) => ({ id: `projects/${project}/locations/${i.location}/clusters/${i.cluster}/nodePools/${i.name}` }),
  "gcp:serviceaccount/account:Account": (i, _n, project) => ({
    id: `projects/${project}/serviceAccounts/${i.accountId}@${project}.iam.gserviceaccount.com`,
    email: `${i.accountId}@${project}.iam.gserviceaccount.com`,
    name: `projects/${project}/serviceAccounts/${i.accountId}@${project}.iam.gserviceaccount.com`,
    member: `serviceAccount:${i.accountId}@${project}.iam.gserviceaccount.com`,
    uniqueId: String(BigInt(`0x${hex(i.accountId, 15)}`)),
  }),
  "gcp:sql/databaseInstance:DatabaseInstance": (i, name, project, region) => ({
    id: i.name,
    connectionName: `${project}:${i.region ?? region}:${i.name}`,
    privateIpAddress: `10.${100 + (parseInt(hex(name, 2), 16) % 100)}.0.3`,
    selfLink: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${project}/instances/${i.name}`,
  }),
  "gcp:compute/globalAddress:GlobalAddress": (i, _n, project) => ({ id: `projects/${project}/global/addresses/${i.name}`, address: "10.200.0.0" }),
  "gcp:artifactregistry/repository:Repository": (i, _n, project, region) => ({
    id: `projects/${project}/locations/${i.location ?? region}/repositories/${i.repositoryId}`,
    name: i.repositoryId,
  }),
  "gcp:storage/bucket:Bucket": (i) => ({ id: i.name, url: `gs://${i.name}`, selfLink: `https://www.googleapis.com/storage/v1/b/${i.name}` }),
  "gcp:storage/hmacKey:HmacKey": (i, name) => ({
    id: `GOOG1E${hex(`hmac/${name}`, 58).toUpperCase()}`,
    accessId: `GOOG1E${hex(`hmac/${name}`, 58).toUpperCase()}`,
    secret: Buffer.from(hex(`hmac-secret/${name}`, 30)).toString("base64"),
    state: "ACTIVE",
    serviceAccountEmail: i.serviceAccountEmail,
  }),
};

/** The project and region a resource's explicit GCP provider names. */
export function gcpProviderSettings(inputs: Inputs): { project: string; region: string } {
  return { project: String(inputs.project ?? "mock-project"), region: String(inputs.region ?? "us-central1") };
}
