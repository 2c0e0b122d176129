// Who opens the database. Each part that runs a client declares it where it makes it (the foundation its
// bootstrap Job, backups their Jobs, monitoring its exporter, KFP its own components); the composition in
// modules/main.ts collects the declarations and the network policies read them, so a policy never has
// to import the parts it admits.

/** Pods that connect to the database: those of `podLabels` in `namespace`. */
export interface DatabaseClient {
  /** What it is (comments and reports). */
  readonly name: string;
  /** Its namespace; absent: the platform namespace. */
  readonly namespace?: string;
  /** Labels selecting its pods; absent: every pod of `namespace`. */
  readonly podLabels?: Readonly<Record<string, string>>;
}
