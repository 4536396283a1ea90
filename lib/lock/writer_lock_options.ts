// A standalone writer's command-line lock options (--config, --wait, --conflict-exit-code) turned
// into withArchiveLock's options, resolved the same way with-scrape-lock resolves them.
import { repoRoot } from "../cli/repo_root.ts";
import { resolveSettings } from "../config/resolve_settings.ts";
import type { ArchiveWriterLockOptions } from "./archive_writer_lock.ts";
import { parseConflictExitCode, parseWaitSeconds } from "./lock_wait_options.ts";

/** parseArgv options of a standalone writer (with its --dry-run). */
export const WRITER_OPTIONS = {
  "dry-run": { type: "boolean" },
  wait: { type: "string" },
  "conflict-exit-code": { type: "string" },
  config: { type: "string" },
} as const;

export interface WriterLockRequest {
  archivePath: string;
  config: string | undefined;
  wait: string | undefined;
  conflictExitCode: string | undefined;
  tool: string;
  cmd: string[];
  env: Deno.Env;
}

export function writerLockOptions(req: WriterLockRequest): ArchiveWriterLockOptions {
  const checkout = repoRoot(req.env);
  const settings = resolveSettings({
    config: req.config,
    env: req.env.toObject(),
    repoRoot: checkout,
  });
  return {
    archivePath: req.archivePath,
    configPath: settings.configPath,
    lockFile: settings.lockFile,
    env: req.env,
    waitSeconds: parseWaitSeconds(req.wait),
    conflictExitCode: parseConflictExitCode(req.conflictExitCode),
    tool: `${req.tool} (dce-ops)`,
    cmd: req.cmd,
    checkout,
  };
}
