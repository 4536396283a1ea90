// The scrape core (run-scrape) run by hand holds its config's lock like every writer; run by a holder
// (run-scrape-host's container, with-scrape-lock) it works under its parent's lock instead.
import { dirname } from "node:path";
import { EXIT, UserError } from "../cli/errors.ts";
import { existsSync } from "../fs/file_predicates.ts";
import { type AcquireOptions, type LockHandle, lockSkipped } from "./acquire_lock.ts";
import { HELD_LOCK_ENV, HELD_TOKEN_ENV } from "./held_lock_env.ts";
import { acquireOrConflict } from "./hold_lock.ts";
import { recordedToken } from "./recorded_token.ts";
import { resolveLockPath } from "./resolve_lock_path.ts";
import { releaseReporting } from "./release_reporting.ts";

type Env = { get(name: string): string | undefined };

export interface ScrapeCoreLockOptions
  extends Pick<AcquireOptions, "cmd" | "tool" | "checkout" | "waitSeconds" | "signal"> {
  configPath: string;
  repoRoot: string;
  /** DCE_SCRAPE_LOCK_FILE, as resolveSettings read it. */
  lockFile: string | undefined;
  env: Env;
  warn: (line: string) => void;
  conflictExitCode?: number | undefined;
}

/**
 * True when the process that started us holds this lock: it handed down its token
 * (DCE_SCRAPE_LOCK_TOKEN) and the lock file still carries it. A parent holding another root's lock
 * (DCE_SCRAPE_LOCK_HELD names another file) does not cover us, unless that file's folder does not
 * exist here: a container that does not mount the host's lock folder cannot check it, and only the
 * host runner passes both variables into it. A token the lock does not carry (the parent is gone,
 * the variable leaked into a shell) is refused: running unlocked is what the lock prevents.
 */
function inheritsParentLock(path: string, env: Env): boolean {
  const token = env.get(HELD_TOKEN_ENV);
  if (!token) return false;
  const held = env.get(HELD_LOCK_ENV) || path;
  if (held !== path) return !existsSync(dirname(held));
  if (recordedToken(path) === token) return true;
  throw new UserError(
    `${HELD_TOKEN_ENV} is set, but the scrape lock ${path} does not carry that token (its holder has ended or it is another run's); unset it, or run this from the workflow that holds the lock.`,
    { exitCode: EXIT.usage },
  );
}

/** Taken by the core once its config is checked (`take`), released when the run ends. */
export class ScrapeCoreLock {
  #handle: LockHandle | null = null;
  readonly #opts: ScrapeCoreLockOptions;

  constructor(opts: ScrapeCoreLockOptions) {
    this.#opts = opts;
  }

  /** Holds the lock, unless skipped (DCE_SKIP_SCRAPE_LOCK=1) or held by the process that started us. */
  async take(): Promise<void> {
    const opts = this.#opts;
    if (lockSkipped(opts.env, opts.warn)) return;
    const resolved = resolveLockPath(opts);
    if (resolved.warning) opts.warn(resolved.warning);
    if (inheritsParentLock(resolved.path, opts.env)) return;
    this.#handle = await acquireOrConflict({ ...opts, path: resolved.path });
  }

  /** Adds an export to the holder record: a SIGKILLed core must not free the lock while it runs. */
  recordChild(pid: number): void {
    this.#handle?.recordChild(pid).catch((err) => {
      this.#opts.warn(`WARN: could not record export pid ${pid} in the lock: ${err}`);
    });
  }

  /** Gives the lock back; false when that failed (one ERROR line; see releaseReporting). */
  async release(): Promise<boolean> {
    const handle = this.#handle;
    this.#handle = null;
    return handle === null ? true : await releaseReporting(handle, this.#opts.warn);
  }
}
