// Workflow output: every line goes to the screen and is appended, with a UTC timestamp, to the log file.
import { dirname } from "node:path";
import { UserError } from "../cli/errors.ts";
import { type Clock, systemClock, utcSeconds } from "../cli/utc_stamp.ts";
import {
  type OpsOutput,
  screenWriter,
  stderrWrite,
  stdoutWrite,
  type Write,
  writeAll,
} from "../cli/output.ts";

export { type OpsOutput, screenWriter, stderrWrite, stdoutWrite, type Write };

const STAMPED = /^\[\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\] /;

function describe(err: unknown): string {
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.NotFound) return "a parent folder is missing";
  return err instanceof Error ? err.message : String(err);
}

/** Opens (creating its folder) a log file for appending; refuses symlinks, folders and unwritable places. */
async function openAppend(path: string): Promise<Deno.FsFile> {
  const hint = "Choose a writable --log-file or DCE_LOG_DIR.";
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw new UserError(`Cannot create log folder "${dirname(path)}": ${describe(err)}. ${hint}`);
  }
  try {
    const info = await Deno.lstat(path);
    if (info.isSymlink) {
      throw new UserError(
        `Log file "${path}" is a symlink; refusing to append through it. ${hint}`,
      );
    }
    if (!info.isFile) throw new UserError(`Log file "${path}" is not a regular file. ${hint}`);
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) {
      if (err instanceof UserError) throw err;
      throw new UserError(`Cannot inspect log file "${path}": ${describe(err)}. ${hint}`);
    }
  }
  try {
    return await Deno.open(path, { append: true, create: true });
  } catch (err) {
    throw new UserError(`Cannot write log file "${path}": ${describe(err)}. ${hint}`);
  }
}

export class OpsLog implements OpsOutput {
  #file: Deno.FsFile | undefined;
  #broken = false;
  #watchers: ((line: string) => void)[] = [];

  private constructor(
    readonly path: string | undefined,
    file: Deno.FsFile | undefined,
    private readonly clock: Clock,
    private readonly stdout: Write,
    private readonly stderr: Write,
  ) {
    this.#file = file;
  }

  /** A log that tees to `path` (appending), or only to the screen when `path` is undefined. */
  static async open(
    path: string | undefined,
    opts: { clock?: Clock; stdout?: Write; stderr?: Write } = {},
  ): Promise<OpsLog> {
    const file = path === undefined ? undefined : await openAppend(path);
    return new OpsLog(
      path,
      file,
      opts.clock ?? systemClock,
      opts.stdout ?? stdoutWrite,
      opts.stderr ?? stderrWrite,
    );
  }

  out(line: string): void {
    this.stdout(`${line}\n`);
    this.#append(line);
  }

  err(line: string): void {
    this.stderr(`${line}\n`);
    this.#append(line);
  }

  /** `[<UTC ts>] text` on stdout and in the log (the step-line format of the validation workflow). */
  step(text: string): void {
    this.out(`[${utcSeconds(this.clock())}] ${text}`);
  }

  /** Calls `watcher` with every later line (used to catch this run's own summary marker). */
  watch(watcher: (line: string) => void): void {
    this.#watchers.push(watcher);
  }

  #append(line: string): void {
    for (const watcher of this.#watchers) watcher(line);
    if (!this.#file || this.#broken) return;
    const text = STAMPED.test(line) ? line : `[${utcSeconds(this.clock())}] ${line}`;
    try {
      writeAll(this.#file, `${text}\n`);
    } catch (err) {
      // A full disk must not kill the scrape it is logging: say so once and keep going on screen.
      this.#broken = true;
      this.stderr(
        `WARN: cannot append to log file "${this.path}" (${
          describe(err)
        }); continuing without it.\n`,
      );
    }
  }

  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
