// Is there something that can run DiscordChatExporter here: the direct DCE CLI, or a compose tool?
import { basename, join, resolve } from "node:path";
import { whichOnPath } from "../process/child_process.ts";
import { UserError } from "../cli/errors.ts";
import { chooseCompose, type ComposeProbes, systemComposeProbes } from "../host/compose_command.ts";
import type { ExporterKind } from "../host/host_args.ts";
import { DEFAULT_CLI_BIN } from "../scrape/core_options.ts";

/**
 * The host runner's rule (run-scrape-host --help): DCE_EXPORTER if set; else compose when a compose
 * file is named (DCE_COMPOSE_FILE) or <repo>/docker-compose.yml exists; else the DCE CLI.
 */
export async function exporterKind(
  env: Record<string, string | undefined>,
  repoRoot: string,
): Promise<ExporterKind> {
  const raw = env["DCE_EXPORTER"]?.trim() ?? "";
  if (raw === "cli" || raw === "compose") return raw;
  if (raw !== "") throw new UserError(`DCE_EXPORTER must be 'cli' or 'compose', got '${raw}'.`);
  if (env["DCE_COMPOSE_FILE"]) return "compose";
  try {
    await Deno.stat(resolve(join(repoRoot, "docker-compose.yml")));
    return "compose";
  } catch {
    return "cli";
  }
}

/** One readiness line for the DCE CLI, or a UserError saying what to fix. */
export async function checkCliExporter(env: Record<string, string | undefined>): Promise<string> {
  const bin = env["DCE_CLI_BIN"]?.trim() || DEFAULT_CLI_BIN;
  // Looked up as the host runner and the core look it up: a path as is, a bare name on PATH.
  const found = await whichOnPath(bin, env["PATH"]);
  if (found !== null) return `exporter: DCE CLI ${found}`;
  let reason = "does not exist";
  try {
    const info = await Deno.stat(bin);
    reason = info.isFile ? "is not executable (chmod +x it)" : "is not a file";
  } catch { /* does not exist */ }
  throw new UserError(
    `DCE CLI '${bin}' ${reason}. Set DCE_CLI_BIN to the DiscordChatExporter.Cli binary, or use DCE_EXPORTER=compose.`,
  );
}

/**
 * The compose program the host runner will use (its own choice, lib/host/compose_command.ts), so a
 * ready host is one the runner can run on; `<docker> compose` must also answer `compose version`.
 */
export async function checkComposeExporter(
  env: Record<string, string | undefined>,
  probes: ComposeProbes = systemComposeProbes(env["PATH"]),
): Promise<string> {
  const program = await chooseCompose(env, probes);
  const explicit = env["DCE_COMPOSE_BIN"]?.trim();
  if (explicit) return `compose: ${explicit}`;
  const [bin, ...rest] = program.argv as [string, ...string[]];
  if (rest.length === 0) return `compose: ${basename(bin)}`;
  const name = `${env["DCE_DOCKER_BIN"]?.trim() || "docker"} compose`;
  if (!(await probeSucceeds(bin, [...rest, "version"]))) {
    throw new UserError(
      `'${name} version' failed. Install Docker or Podman with compose support, or run the DCE CLI directly (DCE_EXPORTER=cli, DCE_CLI_BIN=<path>).`,
    );
  }
  return `compose: ${name}`;
}

/** Runs a probe command quietly; true when it exits 0. A missing binary is simply false. */
async function probeSucceeds(command: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

export async function checkExporter(
  env: Record<string, string | undefined>,
  repoRoot: string,
): Promise<string> {
  return (await exporterKind(env, repoRoot)) === "cli"
    ? await checkCliExporter(env)
    : await checkComposeExporter(env);
}
