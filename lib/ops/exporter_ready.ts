// Is there something that can run DiscordChatExporter here: the direct DCE CLI, or a compose tool?
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.ts";
import { findExecutable, isExecutableFile, probeSucceeds } from "./find_executable.ts";

export type ExporterKind = "cli" | "compose";

export const DEFAULT_CLI_BIN = "/opt/app/DiscordChatExporter.Cli";

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
  const found = await findExecutable(bin, env["PATH"]);
  if (found && (await isExecutableFile(found))) return `exporter: DCE CLI ${found}`;
  let reason = "does not exist";
  try {
    const info = await Deno.stat(bin);
    reason = info.isFile ? "is not executable (chmod +x it)" : "is not a file";
  } catch { /* does not exist */ }
  throw new UserError(
    `DCE CLI '${bin}' ${reason}. Set DCE_CLI_BIN to the DiscordChatExporter.Cli binary, or use DCE_EXPORTER=compose.`,
  );
}

/** Compose detection in the bash suite's order; first hit wins. */
export async function checkComposeExporter(
  env: Record<string, string | undefined>,
): Promise<string> {
  const path = env["PATH"];
  const explicit = env["DCE_COMPOSE_BIN"]?.trim();
  if (explicit) {
    if (!(await findExecutable(explicit.split(/\s+/)[0]!, path))) {
      throw new UserError(`DCE_COMPOSE_BIN '${explicit}' is not an executable on PATH.`);
    }
    return `compose: ${explicit}`;
  }
  const docker = env["DCE_DOCKER_BIN"]?.trim() || "docker";
  const podmanCompose = await findExecutable("podman-compose", path);
  if (podmanCompose && (await probeSucceeds("podman", ["info"]))) return "compose: podman-compose";
  const dockerBin = await findExecutable(docker, path);
  if (dockerBin && (await probeSucceeds(dockerBin, ["compose", "version"]))) {
    return `compose: ${docker} compose`;
  }
  if (await findExecutable("docker-compose", path)) return "compose: docker-compose";
  const podman = await findExecutable("podman", path);
  if (podman && (await probeSucceeds(podman, ["compose", "version"]))) {
    return "compose: podman compose";
  }
  throw new UserError(
    "Install Docker or Podman with compose support, or run the DCE CLI directly (DCE_EXPORTER=cli, DCE_CLI_BIN=<path>).",
  );
}

export async function checkExporter(
  env: Record<string, string | undefined>,
  repoRoot: string,
): Promise<string> {
  return (await exporterKind(env, repoRoot)) === "cli"
    ? await checkCliExporter(env)
    : await checkComposeExporter(env);
}
