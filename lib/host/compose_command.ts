// Picks the compose program (in the order of docs/host-runner.md#exporters, checked after auto-selection: docs/bash-suite.md#h33-exporter-exit-code-lost) and builds `compose run` argv.

import { whichOnPath } from "../process/child_process.ts";
import { UserError } from "../cli/errors.ts";

export interface ComposeProgram {
  /** Program and leading arguments, e.g. ["docker", "compose"] or ["podman-compose"]. */
  argv: string[];
  /** True when the engine is podman (rootless: userns keep-id). */
  podman: boolean;
}

export interface ComposeProbes {
  /** Absolute path of an executable named `name` (PATH lookup unless it contains a slash), or null. */
  which(name: string): Promise<string | null>;
  /** True when `podman info` succeeds (a working podman engine). */
  podmanWorks(): Promise<boolean>;
}

/**
 * DCE_COMPOSE_BIN (split on blanks, e.g. "podman compose") if set; else, only when DCE_DOCKER_BIN
 * is not set, podman-compose (if present and `podman info` works), then docker-compose; else
 * `<DCE_DOCKER_BIN or docker> compose`. Only the chosen program must exist.
 */
export async function chooseCompose(
  env: Record<string, string | undefined>,
  probes: ComposeProbes,
): Promise<ComposeProgram> {
  const explicit = env["DCE_COMPOSE_BIN"]?.trim();
  if (explicit) {
    const argv = explicit.split(/\s+/);
    return {
      argv: [await require(argv[0] as string, probes), ...argv.slice(1)],
      podman: /podman/.test(explicit),
    };
  }
  const docker = env["DCE_DOCKER_BIN"]?.trim();
  if (!docker) {
    const podmanCompose = await probes.which("podman-compose");
    if (podmanCompose && await probes.podmanWorks()) return { argv: [podmanCompose], podman: true };
    const dockerCompose = await probes.which("docker-compose");
    if (dockerCompose) return { argv: [dockerCompose], podman: false };
  }
  const bin = docker || "docker";
  return { argv: [await require(bin, probes), "compose"], podman: /podman/.test(bin) };
}

async function require(name: string, probes: ComposeProbes): Promise<string> {
  const found = await probes.which(name);
  if (found) return found;
  throw new UserError(
    `Required command '${name}' is missing. Install Docker or Podman with compose support, set DCE_COMPOSE_BIN/DCE_DOCKER_BIN, or run with --exporter cli.`,
  );
}

/**
 * `<compose...> --env-file <f> -f <compose file> run [-T] --rm [-e K=V]... discord-scraper <sub> <args...>`.
 * `containerEnv` goes in with `-e`, which reaches the container whatever the compose file's
 * `environment:` lists (the env file only fills its `${...}`): the lock the core works under.
 */
export function composeRunArgv(
  program: ComposeProgram,
  opts: {
    envFile: string;
    composeFile: string;
    tty: boolean;
    subcommand: string;
    args: string[];
    containerEnv?: Record<string, string>;
  },
): string[] {
  return [
    ...program.argv,
    "--env-file",
    opts.envFile,
    "-f",
    opts.composeFile,
    "run",
    ...(opts.tty ? [] : ["-T"]),
    "--rm",
    ...Object.entries(opts.containerEnv ?? {}).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
    "discord-scraper",
    opts.subcommand,
    ...opts.args,
  ];
}

/** The real probes: PATH lookup, and `podman info` (only when podman exists; 20 s cap). */
export function systemComposeProbes(path: string | undefined): ComposeProbes {
  return {
    which: (name) => whichOnPath(name, path),
    async podmanWorks() {
      const podman = await whichOnPath("podman", path);
      if (!podman) return false;
      try {
        const out = await new Deno.Command(podman, {
          args: ["info"],
          stdin: "null",
          stdout: "null",
          stderr: "null",
          signal: AbortSignal.timeout(20_000),
        }).output();
        return out.success;
      } catch {
        return false;
      }
    },
  };
}
