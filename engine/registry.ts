// Manifest digests straight from registries (OCI Distribution / Docker Registry HTTP API v2): HEAD
// /v2/<name>/manifests/<tag> and read Docker-Content-Digest. Public registries (Docker Hub, ghcr.io,
// quay.io, gcr.io, nvcr.io, registry.k8s.io, public.ecr.aws) answer 401 with a WWW-Authenticate Bearer
// challenge; an anonymous token from its realm for `repository:<name>:pull` opens the read. Source: the
// Distribution spec (opencontainers/distribution-spec spec.md, "Pulling manifests") and the token
// spec (distribution/distribution docs/spec/auth/token.md).
import { createHash } from "node:crypto";

/** Every manifest kind a tag can name; an index's digest is what `repo:tag@digest` pins for all platforms. */
const MANIFEST_TYPES = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

/** Where a registry host's API lives; Docker Hub serves its API from another host. */
export function registryBaseUrl(registry: string, overrides: Readonly<Record<string, string>> = {}): string {
  if (overrides[registry]) return overrides[registry].replace(/\/$/, "");
  return registry === "docker.io" ? "https://registry-1.docker.io" : `https://${registry}`;
}

/** `repository:tag` split into registry, name and tag (the registry is the first path element). */
export function splitReference(reference: string): { registry: string; name: string; tag: string } {
  const colon = reference.lastIndexOf(":");
  const slash = reference.indexOf("/");
  if (colon < 0 || slash < 0 || colon < reference.lastIndexOf("/")) throw new Error(`${reference}: expected registry/repository:tag`);
  return { registry: reference.slice(0, slash), name: reference.slice(slash + 1, colon), tag: reference.slice(colon + 1) };
}

/** The parameters of a `Bearer realm="...",service="...",scope="..."` challenge. */
export function parseBearerChallenge(header: string): Record<string, string> | undefined {
  if (!/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const [, key, value] of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[key] = value;
  return params.realm ? params : undefined;
}

async function anonymousToken(challenge: Record<string, string>, name: string): Promise<string> {
  const url = new URL(challenge.realm);
  if (challenge.service) url.searchParams.set("service", challenge.service);
  url.searchParams.set("scope", challenge.scope ?? `repository:${name}:pull`);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`token from ${url.origin}${url.pathname}: HTTP ${res.status}`);
  const body = (await res.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`token from ${url.origin}${url.pathname}: no token in the answer`);
  return token;
}

/** A manifest request with the anonymous token flow: a 401 Bearer challenge is answered once. */
async function manifestRequest(reference: string, target: string, method: "HEAD" | "GET", overrides: Readonly<Record<string, string>>): Promise<Response> {
  const { registry, name } = splitReference(reference);
  const url = `${registryBaseUrl(registry, overrides)}/v2/${name}/manifests/${target}`;
  const headers: Record<string, string> = { Accept: MANIFEST_TYPES };
  let res = await fetch(url, { method, headers });
  if (res.status === 401) {
    const challenge = parseBearerChallenge(res.headers.get("www-authenticate") ?? "");
    if (!challenge) throw new Error(`${reference}: ${registry} asks for credentials this tool does not have (no Bearer challenge)`);
    headers.Authorization = `Bearer ${await anonymousToken(challenge, name)}`;
    res = await fetch(url, { method, headers });
  }
  if (res.status === 404) throw new Error(`${reference}: no such ${target.startsWith("sha256:") ? "manifest" : "tag"} on ${registry}`);
  if (!res.ok) throw new Error(`${reference}: ${registry} answered HTTP ${res.status}`);
  return res;
}

/** The digest the registry serves for `reference` (registry/repository:tag) now. */
export async function manifestDigest(reference: string, overrides: Readonly<Record<string, string>> = {}): Promise<string> {
  const res = await manifestRequest(reference, splitReference(reference).tag, "HEAD", overrides);
  const digest = res.headers.get("docker-content-digest");
  if (digest) return digest;
  // Some registries omit the header on HEAD: the digest is the SHA-256 of the manifest's bytes.
  const body = Buffer.from(await (await manifestRequest(reference, splitReference(reference).tag, "GET", overrides)).arrayBuffer());
  return `sha256:${createHash("sha256").update(body).digest("hex")}`;
}

interface Manifest {
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[];
  config?: { size: number };
  layers?: { size: number }[];
}

/**
 * Bytes a node downloads to pull `reference` for one platform: the image config plus every
 * compressed layer, as the manifest lists them (an index is resolved to the platform's manifest).
 */
export async function pullBytes(reference: string, platform = { os: "linux", architecture: "amd64" }, overrides: Readonly<Record<string, string>> = {}): Promise<number> {
  let manifest = (await (await manifestRequest(reference, splitReference(reference).tag, "GET", overrides)).json()) as Manifest;
  if (manifest.manifests) {
    const entry = manifest.manifests.find((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
    if (!entry) throw new Error(`${reference}: no ${platform.os}/${platform.architecture} image in its index`);
    manifest = (await (await manifestRequest(reference, entry.digest, "GET", overrides)).json()) as Manifest;
  }
  if (!manifest.layers) throw new Error(`${reference}: the manifest lists no layers`);
  return (manifest.config?.size ?? 0) + manifest.layers.reduce((sum, l) => sum + l.size, 0);
}
