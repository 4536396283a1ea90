// Host → container path mapping for the runner: the config (found by resolveSettings) and the summary file.

import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { UserError } from "../cli/errors.ts";
import { CONTAINER_CONFIG_DIR } from "../config/resolve_settings.ts";

export const CONTAINER_LOG_DIR = "/logs";

function inside(child: string, parent: string): string | null {
  const rel = relative(parent, child);
  if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) return null;
  return rel;
}

/**
 * The same config as the container sees it. Only `<root>/config` is mounted (at /config), so a
 * config elsewhere cannot be scraped through compose: say so instead of silently scraping another file.
 */
export function containerConfigPath(hostPath: string, repoRoot: string): string {
  const rel = inside(hostPath, join(repoRoot, "config"));
  if (rel === null) {
    throw new UserError(
      `Config ${hostPath} is outside ${
        join(repoRoot, "config")
      }, the only config folder mounted into the container (as /config); move it there or run with --exporter cli.`,
    );
  }
  return `${CONTAINER_CONFIG_DIR}/${rel.split(sep).join("/")}`;
}

/** DCE_RUN_SUMMARY_FILE on this host: `/logs/<x>` (container view) → `<root>/logs/<x>`. */
export function hostSummaryPath(value: string, repoRoot: string): string {
  if (value.startsWith(`${CONTAINER_LOG_DIR}/`)) {
    return join(repoRoot, "logs", value.slice(CONTAINER_LOG_DIR.length + 1));
  }
  return resolve(repoRoot, value);
}

/**
 * The summary path inside the container, keeping sub-folders of logs/ (the bash runner flattened
 * them: docs/bash-suite.md#h29-summary-path-mapping), or null when the file is outside `<root>/logs` and so not writable from the
 * container; the host then writes it from the run's DCE_JSON_SUMMARY line.
 */
export function containerSummaryPath(hostPath: string, repoRoot: string): string | null {
  const rel = inside(hostPath, join(repoRoot, "logs"));
  return rel === null ? null : `${CONTAINER_LOG_DIR}/${rel.split(sep).join("/")}`;
}
