// Where each Terraform-bridged type the kit creates is defined in the Terraform provider its Pulumi SDK
// bridges (@pulumi/gcp: terraform-provider-google; @pulumi/random, @pulumi/tls: their namesakes): the
// file and the function returning its schema, or the schema variables an IAM member merges
// (tpgiamresource.ResourceIamMember merges IamMemberBaseSchema with the parent's schema).
// `npm run replacements -- --source <repo>=<checkout>` reads them with go-schema.ts.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { forceNewAttributes, pulumiPath } from "./go-schema";

export interface TerraformSource {
  repo: string;
  file: string;
  /** The function returning the schema, or schema variables merged in order. */
  entry: string | string[];
  /** Other directories whose Go files the schema's helpers live in. */
  extraDirs?: string[];
}

const GOOGLE = "hashicorp/terraform-provider-google";
const g = (file: string, entry: string | string[]): TerraformSource => ({ repo: GOOGLE, file: `google/services/${file}`, entry, extraDirs: ["google/tpgiamresource"] });
const iam = (file: string, parent: string) => g(file, ["IamMemberBaseSchema", parent]);

export const TERRAFORM_SOURCES: Readonly<Record<string, TerraformSource>> = {
  "gcp:artifactregistry/repository:Repository": g("artifactregistry/resource_artifact_registry_repository.go", "ResourceArtifactRegistryRepository"),
  "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember": iam("artifactregistry/iam_artifact_registry_repository.go", "ArtifactRegistryRepositoryIamSchema"),
  "gcp:compute/globalAddress:GlobalAddress": g("compute/resource_compute_global_address.go", "ResourceComputeGlobalAddress"),
  "gcp:compute/network:Network": g("compute/resource_compute_network.go", "ResourceComputeNetwork"),
  "gcp:compute/router:Router": g("compute/resource_compute_router.go", "ResourceComputeRouter"),
  "gcp:compute/routerNat:RouterNat": g("compute/resource_compute_router_nat.go", "ResourceComputeRouterNat"),
  "gcp:compute/subnetwork:Subnetwork": g("compute/resource_compute_subnetwork.go", "ResourceComputeSubnetwork"),
  "gcp:container/cluster:Cluster": g("container/resource_container_cluster.go", "ResourceContainerCluster"),
  "gcp:container/nodePool:NodePool": g("container/resource_container_node_pool.go", "ResourceContainerNodePool"),
  "gcp:projects/iAMMember:IAMMember": iam("resourcemanager/iam_project.go", "IamProjectSchema"),
  "gcp:serviceaccount/account:Account": g("resourcemanager/resource_google_service_account.go", "ResourceGoogleServiceAccount"),
  "gcp:serviceaccount/iAMMember:IAMMember": iam("resourcemanager/iam_service_account.go", "IamServiceAccountSchema"),
  "gcp:servicenetworking/connection:Connection": g("servicenetworking/resource_service_networking_connection.go", "ResourceServiceNetworkingConnection"),
  "gcp:sql/databaseInstance:DatabaseInstance": g("sql/resource_sql_database_instance.go", "ResourceSqlDatabaseInstance"),
  "gcp:storage/bucket:Bucket": g("storage/resource_storage_bucket.go", "ResourceStorageBucket"),
  "gcp:storage/bucketIAMMember:BucketIAMMember": iam("storage/iam_storage_bucket.go", "StorageBucketIamSchema"),
  "gcp:storage/hmacKey:HmacKey": g("storage/resource_storage_hmac_key.go", "ResourceStorageHmacKey"),
  "random:index/randomPassword:RandomPassword": { repo: "hashicorp/terraform-provider-random", file: "internal/provider/resource_password.go", entry: "passwordSchemaV3" },
  "tls:index/privateKey:PrivateKey": { repo: "hashicorp/terraform-provider-tls", file: "internal/provider/resource_private_key.go", entry: "privateKeyResourceSchemaV1" },
  "tls:index/selfSignedCert:SelfSignedCert": { repo: "hashicorp/terraform-provider-tls", file: "internal/provider/resource_self_signed_cert.go", entry: "Schema" },
  "tls:index/locallySignedCert:LocallySignedCert": { repo: "hashicorp/terraform-provider-tls", file: "internal/provider/resource_locally_signed_cert.go", entry: "Schema" },
  "tls:index/certRequest:CertRequest": { repo: "hashicorp/terraform-provider-tls", file: "internal/provider/resource_cert_request.go", entry: "Schema" },
};

const goFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go"))
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .join("\n");

/** ForceNew paths (Pulumi names) of every type defined in `repo`, read from a checkout of it. */
export function readTerraformSources(repo: string, checkout: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [type, src] of Object.entries(TERRAFORM_SOURCES)) {
    if (src.repo !== repo) continue;
    const file = join(checkout, src.file);
    const pkg = [dirname(file), ...(src.extraDirs ?? []).map((d) => join(checkout, d))].map(goFiles).join("\n");
    const paths = Array.isArray(src.entry)
      ? src.entry.flatMap((v) => forceNewAttributes(`Schema: ${v},`, undefined, pkg))
      : forceNewAttributes(readFileSync(file, "utf8"), src.entry, pkg);
    out[type] = [...new Set(paths.map(pulumiPath))].sort();
  }
  return out;
}
