// verify-operator-ready: the disk gate alone (--disk-only), or every host prerequisite before a scrape.
import { statSync } from "node:fs";
import { join } from "node:path";
import { UserError, UserErrorList } from "../cli/errors.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import { loadConfig } from "../config/load_config.ts";
import { findTarget } from "../config/select_targets.ts";
import type { ScrapeConfig } from "../config/scrape_config.ts";
import { loadEnvFile } from "../host/env_file.ts";
import { effectiveEnv } from "../host/host_env.ts";
import { type ResolvedToken, resolveToken } from "../host/token_source.ts";
import { checkDisk } from "../host/disk_check.ts";
import { secretFileWarnings, writeAccessProblems } from "../host/write_access.ts";
import { currentUser } from "../fs/permissions.ts";
import { resolveLockPath } from "../lock/resolve_lock_path.ts";
import { checkExporter } from "./exporter_ready.ts";
import type { OpsOutput } from "./ops_log.ts";
import { runTool } from "./run_child.ts";
import { verifyArchives } from "./verify_archives.ts";

export type Env = Record<string, string | undefined>;

export interface ReadyOptions {
  configPath: string;
  diskOnly: boolean;
  preflightTarget?: string | undefined;
  env: Env;
  repoRoot: string;
  out: OpsOutput;
}

export function envFilePath(env: Env, repoRoot: string): string {
  return resolveSettings({ env, repoRoot }).envFilePath;
}

/**
 * Runs the disk gate; prints `disk-only: ok (config <path>)` when it passes. DCE_MIN_FREE_MB is
 * read as the host runner reads it (exported, else the env file), so both gates agree.
 */
export async function verifyDiskOnly(opts: ReadyOptions, config?: ScrapeConfig): Promise<void> {
  const loaded = config ?? (await loadConfig(opts.configPath));
  await checkDisk(opts.out, {
    archiveRoot: loaded.archiveRoot,
    configPath: opts.configPath,
    repoRoot: opts.repoRoot,
    minFreeRaw: (await hostRunnerEnv(opts.env, opts.repoRoot))["DCE_MIN_FREE_MB"],
  });
  opts.out.out(`disk-only: ok (config ${opts.configPath})`);
}

/** The token the host runner would use (same sources, same order), or null. */
export async function findToken(env: Env, repoRoot: string): Promise<ResolvedToken | null> {
  const envFile = envFilePath(env, repoRoot);
  return await resolveToken({
    env,
    envFile: await loadEnvFile(envFile),
    envFilePath: envFile,
    repoRoot,
    home: env["HOME"],
  });
}

async function authLine(opts: ReadyOptions): Promise<string> {
  const envFile = envFilePath(opts.env, opts.repoRoot);
  const token = await findToken(opts.env, opts.repoRoot);
  for (const warning of secretFileWarnings([envFile, token?.file])) opts.out.err(warning);
  if (!token) {
    // An empty `DISCORD_TOKEN=` line (as scrape.env.example ships) is not a token (docs/bash-suite.md#h23-empty-token-counted).
    throw new UserError(
      `No Discord token: set DISCORD_TOKEN in ${envFile} (an empty DISCORD_TOKEN= line does not count), export DISCORD_TOKEN or DISCORD_TOKEN_FILE, or place a token at ${
        join(opts.repoRoot, ".discord-token")
      }.`,
    );
  }
  return `auth: token from ${token.source}`;
}

/**
 * What the host runner will see: the env file's settings under the exported ones (exported wins).
 * The workflows' gates (disk, lock) read their settings from this, so they judge what the runner does.
 */
export async function hostRunnerEnv(env: Env, repoRoot: string): Promise<Record<string, string>> {
  const exported: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) exported[k] = v;
  return effectiveEnv(exported, await loadEnvFile(envFilePath(env, repoRoot)));
}

/** Full readiness: prints each passing check, then throws every failure at once (one ERROR line each). */
export async function verifyOperatorReady(opts: ReadyOptions): Promise<void> {
  const config = await loadConfig(opts.configPath);
  if (opts.diskOnly) return await verifyDiskOnly(opts, config);
  const { out } = opts;
  if (opts.preflightTarget !== undefined) findTarget(config, opts.preflightTarget);
  out.out("Operator readiness checks");
  out.out("=========================");
  const problems: string[] = [];
  const check = async (run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      if (err instanceof UserErrorList) problems.push(...err.problems);
      else problems.push(err.message);
    }
  };
  let env: Record<string, string> = {};
  await check(async () => {
    env = await hostRunnerEnv(opts.env, opts.repoRoot);
  });
  await check(() =>
    checkDisk(out, {
      archiveRoot: config.archiveRoot,
      configPath: opts.configPath,
      repoRoot: opts.repoRoot,
      minFreeRaw: env["DCE_MIN_FREE_MB"],
    })
  );
  await check(() => {
    const problems = writeAccessProblems({
      archiveRoot: config.archiveRoot,
      lockPath: resolveLockPath({
        configPath: opts.configPath,
        repoRoot: opts.repoRoot,
        lockFile: resolveSettings({ env, repoRoot: opts.repoRoot }).lockFile,
      }).path,
      logDirs: [env["DCE_LOG_DIR"] || join(opts.repoRoot, "logs")],
    });
    if (problems.length > 0) throw new UserErrorList(problems);
    // A missing root is the disk gate's to report; it is not called writable here.
    if (statSync(config.archiveRoot, { throwIfNoEntry: false })?.isDirectory()) {
      out.out(`write access: archive root, lock files and log folder, for ${currentUser()}`);
    }
    return Promise.resolve();
  });
  await check(async () => out.out(await checkExporter(env, opts.repoRoot)));
  await check(async () => out.out(await authLine(opts)));
  const memory = (env["DCE_CONTAINER_MEMORY"] ?? "").trim();
  if (memory !== "" && memory !== "0") {
    out.out(`container memory: ${memory} (compose mem_limit)`);
  } else {
    for (const target of config.targets) {
      if (target.enabled && target.containerMemory) {
        out.out(
          `target memory: ${target.name} → ${target.containerMemory} (single --target scrape)`,
        );
      }
    }
  }
  out.out(`config: ${opts.configPath}`);
  out.out("");
  await check(async () => {
    await verifyArchives(out, config);
  });
  // The disk gate and the archive table both notice a missing root: say it once.
  if (problems.length > 0) throw new UserErrorList([...new Set(problems)]);

  if (opts.preflightTarget !== undefined) {
    out.out(`Running preflight for target ${opts.preflightTarget}...`);
    const code = await runTool(out, opts.repoRoot, "run-scrape-host", [
      "preflight",
      "--config",
      opts.configPath,
      "--target",
      opts.preflightTarget,
    ], { baseEnv: opts.env });
    if (code !== 0) {
      throw new UserError(
        `Preflight for target '${opts.preflightTarget}' failed (run-scrape-host exit ${code}); see its output above.`,
      );
    }
  }
  out.out("Operator ready. Next:");
  out.out(`  ./dce run-documents-scrape --config ${opts.configPath}`);
  out.out(`  ./dce setup-cron --dry-run --config ${opts.configPath}`);
}
