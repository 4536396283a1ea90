// The host runner's preflight that an installer (setup-cron, setup-systemd) runs before it schedules anything.
import { UserError } from "../cli/errors.ts";
import type { OpsOutput } from "./ops_log.ts";
import { runTool } from "./run_child.ts";

export interface PreflightRequest {
  repoRoot: string;
  configPath: string;
  targets: string[];
  env: Record<string, string | undefined>;
  out: OpsOutput;
}

/** Throws when the preflight fails; `leftAlone` says so in the installer's terms ("the crontab was not changed"). */
export async function installPreflight(req: PreflightRequest, leftAlone: string): Promise<void> {
  req.out.out("Running host preflight before installing the scheduled job...");
  const args = [
    "preflight",
    "--config",
    req.configPath,
    ...req.targets.flatMap((t) => ["--target", t]),
  ];
  const code = await runTool(req.out, req.repoRoot, "run-scrape-host", args, { baseEnv: req.env });
  if (code !== 0) {
    throw new UserError(
      `Preflight failed (run-scrape-host exit ${code}); ${leftAlone}. Fix it, or pass --skip-preflight.`,
    );
  }
}
