// Image references: parsing, and every place a resource names an image a cluster will pull (container
// images, *_IMAGE env vars such as KFP's V2_DRIVER_IMAGE, --*-image flags such as Argo's
// --executor-image, ConfigMap keys ending in "image", and `image:` inside YAML ConfigMap values).
import { CONFIG_MAP, containersOf, podSpecOf, yamlValue } from "./k8s";
import type { Props } from "./report";

export interface ImageRef {
  registry: string;
  /** False when the registry is implied (Docker Hub). */
  explicitRegistry: boolean;
  /** Repository path without the registry (`kubeflow/kfp-api-server`). */
  path: string;
  tag?: string;
  digest?: string;
}

const PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/** Parses `[registry/]path[:tag][@digest]`; undefined when it is not a valid reference. */
export function parseImage(text: string): ImageRef | undefined {
  const at = text.indexOf("@");
  const digest = at >= 0 ? text.slice(at + 1) : undefined;
  const rest = at >= 0 ? text.slice(0, at) : text;
  const colon = rest.lastIndexOf(":");
  const hasTag = colon > rest.lastIndexOf("/");
  const tag = hasTag ? rest.slice(colon + 1) : undefined;
  const name = hasTag ? rest.slice(0, colon) : rest;
  const first = name.split("/")[0];
  const explicitRegistry = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  let path = explicitRegistry ? name.slice(first.length + 1) : name;
  if (!explicitRegistry && !path.includes("/")) path = `library/${path}`;
  if (!PATH.test(path) || (tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest))) return undefined;
  return { registry: explicitRegistry ? first : "docker.io", explicitRegistry, path, tag, digest };
}

export { floatingTagReason } from "../../../modules/config/image-tags";

export interface ImageUse {
  ref: string;
  /** Where on the resource: `container api-server image`, `ConfigMap key executor (image)`. */
  where: string;
  /** The image Argo runs as the executor (init/wait containers of every pipeline step). */
  executor: boolean;
}

/** Every image use, parsed (image undefined when the reference is malformed). */
export function parsedImageUses(type: string, props: Props): (ImageUse & { image: ImageRef | undefined })[] {
  return imageUses(type, props).map((use) => ({ ...use, image: parseImage(use.ref) }));
}

export function imageUses(type: string, props: Props): ImageUse[] {
  const uses: ImageUse[] = [];
  const add = (ref: unknown, where: string, executor = false) => {
    if (typeof ref === "string" && ref.trim() !== "") uses.push({ ref: ref.trim(), where, executor });
  };
  const spec = podSpecOf(type, props);
  for (const { container, label } of spec ? containersOf(spec) : []) {
    add(container.image, `${label} image`);
    for (const env of Array.isArray(container.env) ? container.env : []) {
      if (/(^|_)IMAGE$/.test(env?.name ?? "")) add(env.value, `${label} env ${env.name}`);
    }
    const argv: unknown[] = [...(container.command ?? []), ...(container.args ?? [])];
    argv.forEach((arg, i) => {
      const flag = typeof arg === "string" ? /^--?([\w-]*image)(?:=(.*))?$/.exec(arg) : null;
      if (flag) add(flag[2] ?? argv[i + 1], `${label} flag --${flag[1]}`, flag[1] === "executor-image");
    });
  }
  if (type === CONFIG_MAP) {
    for (const [key, value] of Object.entries<unknown>(props.data ?? {})) {
      if (/image$/i.test(key)) add(value, `ConfigMap key ${key}`);
      else for (const [path, ref] of nestedImages(yamlValue(value))) add(ref, `ConfigMap key ${key} (${path})`, path === "image" ? key === "executor" : path === "executor.image");
    }
  }
  return uses;
}

/** Every `image:` string inside a parsed YAML value, with its dotted path. */
function nestedImages(value: unknown, path = ""): [string, unknown][] {
  if (!value || typeof value !== "object") return [];
  return Object.entries(value).flatMap(([key, child]) => {
    const at = path ? `${path}.${key}` : key;
    return key === "image" && typeof child === "string" ? [[at, child] as [string, unknown]] : nestedImages(child, at);
  });
}

/** The fully qualified repository (`ghcr.io/kubeflow/kfp-api-server`). */
export function repositoryOf(image: ImageRef): string {
  return `${image.registry}/${image.path}`;
}
