// A throwaway MariaDB server on loopback for tests of SQL the kit ships (Debian's mariadb-server).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SERVER = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find(existsSync);
const INSTALL_DB = ["/usr/bin/mariadb-install-db", "/usr/bin/mysql_install_db"].find(existsSync);
const CLIENT = ["/usr/bin/mariadb", "/usr/bin/mysql"].find(existsSync);

/** Why MariaDB cannot run here, or undefined when it can. CI installs it (.ci/run), so CI never skips. */
export function mariadbMissing(): string | undefined {
  if (SERVER && INSTALL_DB && CLIENT) return undefined;
  return "MariaDB is not installed (apt-get install mariadb-server mariadb-client)";
}

export interface MariaDb {
  port: number;
  /** Runs SQL as `user`; returns stdout, throws with stderr on failure. */
  sql(statements: string, user?: { name: string; password: string }): string;
  stop(): Promise<void>;
}

/** `serverArgs` are added to the server's command line (e.g. a larger buffer pool for benchmarks). */
export async function startMariaDb(serverArgs: readonly string[] = []): Promise<MariaDb> {
  const dir = mkdtempSync(join(tmpdir(), "kfp-mariadb-"));
  const datadir = join(dir, "data");
  const init = spawnSync(INSTALL_DB!, ["--no-defaults", `--datadir=${datadir}`, "--user=root", "--auth-root-authentication-method=normal", "--skip-test-db"], { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`mariadb-install-db failed: ${init.stderr}`);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server: ChildProcess = spawn(
    SERVER!,
    ["--no-defaults", `--datadir=${datadir}`, "--user=root", `--port=${port}`, "--bind-address=127.0.0.1", `--socket=${join(dir, "sock")}`, `--pid-file=${join(dir, "pid")}`, "--skip-log-bin", ...serverArgs],
    { stdio: "ignore" },
  );
  const sql = (statements: string, user = { name: "root", password: "" }) => {
    const r = spawnSync(CLIENT!, ["--no-defaults", "-h", "127.0.0.1", "-P", String(port), "-u", user.name, "--batch", "--skip-column-names"], {
      input: statements,
      encoding: "utf8",
      env: { ...process.env, MYSQL_PWD: user.password },
    });
    if (r.status !== 0) throw new Error(r.stderr.trim());
    return r.stdout;
  };
  for (let i = 0; ; i++) {
    try {
      sql("SELECT 1");
      break;
    } catch (e) {
      if (i > 100 || server.exitCode !== null) throw new Error(`MariaDB did not start: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    port,
    sql,
    stop: async () => {
      server.kill("SIGTERM");
      await new Promise((r) => server.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
