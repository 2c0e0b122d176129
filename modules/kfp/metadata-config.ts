// ML Metadata's server configuration file, for databases reached over TLS (RDS). ML Metadata 1.14.0 has
// no TLS flag for MySQL (metadata_store_server_main.cc:314-330 defines --mysql_config_{host,port,
// database,user,password} only); TLS comes from MySQLDatabaseConfig.ssl_options in a
// MetadataStoreServerConfig text proto (proto/metadata_store.proto:597-640, 747-755, 843-864), read with
// --metadata_source_config_type=config_file (server_main.cc:281-282, 417-428). When ssl_options is
// present the server calls mysql_ssl_set (mysql_metadata_source.cc:150-160), which in the MariaDB
// Connector/C 3.0.8 it links (mysql_configure.bzl:23-30) sets MYSQL_OPT_SSL_ENFORCE (mariadb_lib.c:
// 1029-1036): the connection is encrypted or refused. The server certificate is not verified
// (verify_server_cert false), as the API server's and cache server's `tls=skip-verify`: the image's
// runtime layer is ubuntu:20.04 with tzdata alone (tools/docker_server/Dockerfile), so no CA bundle.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Database } from "../foundation/contract";
import { objectMeta } from "../k8s/metadata";

export const MLMD_CONFIG_SECRET = "metadata-grpc-server-config";
export const MLMD_CONFIG_DIR = "/etc/metadata-grpc";
export const MLMD_CONFIG_FILE = "server-config.pbtxt";

/** A protobuf text-format string literal. */
function protoString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** The MetadataStoreServerConfig text proto: the MySQL login with TLS enforced, and schema upgrades on (what --enable_database_upgrade=true sets from flags). */
export function mlmdServerConfig(login: { host: string; port: number; database: string; user: string; password: string }): string {
  return [
    "connection_config {",
    "  mysql {",
    `    host: ${protoString(login.host)}`,
    `    port: ${login.port}`,
    `    database: ${protoString(login.database)}`,
    `    user: ${protoString(login.user)}`,
    `    password: ${protoString(login.password)}`,
    "    ssl_options {",
    "      verify_server_cert: false",
    "    }",
    "  }",
    "}",
    "migration_options {",
    "  enable_upgrade_migration: true",
    "}",
    "",
  ].join("\n");
}

/** The Secret holding the file (it carries the password). */
export function mlmdConfigSecret(resourceName: string, namespace: string, database: Database, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
  const text = pulumi
    .all([database.host, database.username, database.password])
    .apply(([host, user, password]) => mlmdServerConfig({ host, port: database.port, database: database.databases.metadata, user, password }));
  return new k8s.core.v1.Secret(
    resourceName,
    { metadata: objectMeta(MLMD_CONFIG_SECRET, namespace, { component: "metadata-grpc-server" }), type: "Opaque", stringData: { [MLMD_CONFIG_FILE]: pulumi.secret(text) } },
    opts,
  );
}
