// Image references, always built from the one versions table.
import { images, type ImageName, type ImagePin } from "./versions";

/** `repository:tag`, or `repository:tag@digest` when the pin carries a digest. */
export function pinnedReference(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}${pin.digest ? `@${pin.digest}` : ""}`;
}

/** The pinned reference of one image from the table. */
export function imageRef(name: ImageName): string {
  return pinnedReference(images[name]);
}
