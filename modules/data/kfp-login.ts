// The KFP login every database kind gets (in-cluster MySQL, RDS, Cloud SQL): a generated password for the
// `kfp` user, upstream's Secret `mysql-secret` holding it, the bootstrap Job that creates the databases and
// users through an admin login, and the contract's Database built from them.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { ImageResolver } from "../images";
import { objectMeta } from "../k8s/metadata";
import type { Database } from "../foundation/contract";
import { KFP_DATABASES, KFP_DB_SECRET, KFP_DB_USER } from "./kfp-database";
import { bootstrapDatabaseClient, bootstrapNamespace, MysqlBootstrap } from "./mysql-bootstrap";

export interface KfpLoginArgs {
  /** The platform namespace (the Secret's; the bootstrap gets its own beside it). */
  readonly namespace: string;
  readonly provider: k8s.Provider;
  readonly images: ImageResolver;
  /** Host KFP's pods dial, and host:port the bootstrap Job dials from its own namespace. */
  readonly host: pulumi.Input<string>;
  readonly bootstrapHost: pulumi.Input<string>;
  readonly port: number;
  readonly admin: { readonly username: pulumi.Input<string>; readonly password: pulumi.Input<string> };
  readonly tls?: Database["tls"];
  /** What the Secret waits for (the namespace). */
  readonly dependsOn: pulumi.Input<pulumi.Resource>[];
  /** What the server needs before the bootstrap can log in. */
  readonly serverReady: pulumi.Resource[];
  /** Further resources KFP's clients wait for (a Service in front of the server). */
  readonly alsoReady?: pulumi.Resource[];
}

/** Resource names derive from `name` under `parent`: `<name>-kfp-password`, `<name>-kfp-credentials`, `<name>-bootstrap`. */
export function kfpLogin(name: string, args: KfpLoginArgs, parent: pulumi.Resource): Database {
  // Alphanumeric: the password ends up in DSNs and command-line flags (MLMD) unescaped.
  const kfpPassword = pulumi.secret(new random.RandomPassword(`${name}-kfp-password`, { length: 32, special: false }, { parent }).result);
  const kfpSecret = new k8s.core.v1.Secret(
    `${name}-kfp-credentials`,
    { metadata: objectMeta(KFP_DB_SECRET, args.namespace), type: "Opaque", stringData: { username: KFP_DB_USER, password: kfpPassword } },
    { parent, provider: args.provider, dependsOn: args.dependsOn },
  );
  const bootstrap = new MysqlBootstrap(
    `${name}-bootstrap`,
    {
      namespace: bootstrapNamespace(args.namespace),
      provider: args.provider,
      images: args.images,
      host: args.bootstrapHost,
      port: args.port,
      admin: args.admin,
      kfpUser: KFP_DB_USER,
      kfpPassword,
      databases: Object.values(KFP_DATABASES),
      dependsOn: args.serverReady,
    },
    { parent },
  );
  return {
    host: args.host,
    port: args.port,
    username: pulumi.output(KFP_DB_USER),
    password: kfpPassword,
    secretName: KFP_DB_SECRET,
    databases: KFP_DATABASES,
    ...(args.tls ? { tls: args.tls } : {}),
    readyResources: [bootstrap.job, ...(args.alsoReady ?? []), kfpSecret],
    monitor: bootstrap.monitor,
    clients: [bootstrapDatabaseClient(args.namespace)],
  };
}
