// Switching from cron to systemd: finds crontab lines that still run the documents scrape of the
// same config, so setup-systemd can say that both schedulers would run it.
import { UserError } from "../cli/errors.ts";
import { escapeCronPercent, shellQuote } from "./cron_line.ts";
import { readCrontab } from "./crontab_io.ts";

/**
 * Entry lines of the user's crontab that run run-documents-scrape (or the older suite's script) with
 * this config. A host without cron, or a crontab that cannot be read, has none to report.
 */
export async function cronLinesForConfig(
  env: Record<string, string | undefined>,
  configPath: string,
): Promise<string[]> {
  let text: string;
  try {
    text = await readCrontab(env["DCE_CRONTAB_BIN"] || "crontab");
  } catch (err) {
    if (err instanceof UserError) return [];
    throw err;
  }
  const options = [configPath, shellQuote(configPath)].map((c) =>
    escapeCronPercent(`--config ${c}`)
  );
  return text.split("\n").filter((line) =>
    !line.trimStart().startsWith("#") && /run-documents-scrape/.test(line) &&
    options.some((o) => line.includes(`${o} `) || line.endsWith(o))
  );
}
