// Narrowing a config union the schema has already narrowed (its cross-field rules): a miss is a bug in the
// kit, not bad input, so it throws as one.

export function expectKind<T extends { kind: string }, K extends T["kind"]>(value: T, kinds: readonly K[], where: string): Extract<T, { kind: K }> {
  if (!(kinds as readonly string[]).includes(value.kind)) {
    throw new Error(`internal: ${where} must be ${kinds.join(" or ")} here (the config schema guarantees it), found ${value.kind}`);
  }
  return value as Extract<T, { kind: K }>;
}
