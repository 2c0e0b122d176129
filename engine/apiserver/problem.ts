/** One rule the API server would enforce, broken: the field path (kubectl's spelling) and the server's reason. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}
