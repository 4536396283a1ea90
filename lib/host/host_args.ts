// The host runner's command line (docs/tools.md#run-scrape-host): first subcommand token wins, runner options anywhere.

import {
  MissingValueError,
  UnexpectedArgumentError,
  UnknownOptionError,
  UnknownSubcommandError,
  UsageError,
} from "../cli/errors.ts";
import { parseConflictExitCode, parseWaitSeconds } from "../lock/lock_wait_options.ts";

export const SUBCOMMANDS = ["preflight", "scrape", "salvage"] as const;
export type HostSubcommand = typeof SUBCOMMANDS[number];
export type ExporterKind = "cli" | "compose";

export interface HostArgs {
  help: boolean;
  subcommand?: HostSubcommand;
  envFile?: string;
  composeFile?: string;
  exporter?: ExporterKind;
  /** --quiet: nothing on the screen unless the run fails or is partial (then a digest). */
  quiet?: boolean;
  /** --wait SECONDS: keep trying a busy lock this long. */
  waitSeconds?: number;
  /** --conflict-exit-code N: exit status when the lock stays busy. */
  conflictExitCode?: number;
  /** --metrics-file PATH: the run's outcome as a node_exporter textfile (scrape, salvage). */
  metricsFile?: string;
  /** --strict (scrape): any skipped channel makes the run partial. */
  strict?: boolean;
  config?: string;
  targets: string[];
  guilds: string[];
  channels: string[];
}

const RUNNER_OPTIONS = [
  "--env-file",
  "--compose-file",
  "--exporter",
  "--wait",
  "--conflict-exit-code",
  "--metrics-file",
] as const;
const CORE_OPTIONS = ["--config", "--target", "--guild", "--channel"] as const;

/**
 * Rules kept from the bash runner: `--env-file`, `--compose-file` (and our `--exporter`) are taken
 * wherever they appear; `--help`/`-h` anywhere prints usage; the first `preflight|scrape|salvage`
 * is the subcommand and any other token before it is refused (exit 2, like every usage error).
 * After it only the core options are accepted; the bash runner passed anything on and let the
 * container fail, we refuse an unknown option before any work.
 */
export function parseHostArgs(argv: readonly string[]): HostArgs {
  const out: HostArgs = { help: false, targets: [], guilds: [], channels: [] };
  if (argv.some((a) => a === "--help" || a === "-h")) return { ...out, help: true };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const [name, inline] = splitOption(token);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const value = argv[i + 1];
      if (value === undefined || value === "") {
        throw new MissingValueError(name);
      }
      i++;
      return value;
    };
    if ((RUNNER_OPTIONS as readonly string[]).includes(name)) {
      const value = takeValue();
      if (name === "--env-file") out.envFile = value;
      else if (name === "--compose-file") out.composeFile = value;
      else if (name === "--wait") out.waitSeconds = parseWaitSeconds(value);
      else if (name === "--conflict-exit-code") out.conflictExitCode = parseConflictExitCode(value);
      else if (name === "--metrics-file") out.metricsFile = value;
      else out.exporter = parseExporter(value, "--exporter");
      continue;
    }
    if (token === "--quiet") {
      out.quiet = true;
      continue;
    }
    if (out.subcommand === undefined) {
      if ((SUBCOMMANDS as readonly string[]).includes(token)) {
        out.subcommand = token as HostSubcommand;
        continue;
      }
      if ((CORE_OPTIONS as readonly string[]).includes(name)) {
        throw new UsageError(
          `${name} goes after the subcommand: 'preflight', 'scrape' or 'salvage' first (see --help).`,
        );
      }
      if (token.startsWith("-")) throw new UnknownOptionError(name, [...RUNNER_OPTIONS]);
      throw new UnknownSubcommandError(token, SUBCOMMANDS);
    }
    if (token === "--strict") {
      out.strict = true;
      continue;
    }
    if ((CORE_OPTIONS as readonly string[]).includes(name)) {
      const value = takeValue();
      if (name === "--config") out.config = value;
      else if (name === "--target") out.targets.push(value);
      else if (name === "--guild") out.guilds.push(value);
      else out.channels.push(value);
      continue;
    }
    if (!token.startsWith("-")) throw new UnexpectedArgumentError(token);
    throw new UnknownOptionError(name, [...RUNNER_OPTIONS, ...CORE_OPTIONS, "--quiet", "--strict"]);
  }
  return out;
}

function splitOption(token: string): [string, string | undefined] {
  if (!token.startsWith("--")) return [token, undefined];
  const eq = token.indexOf("=");
  return eq < 0 ? [token, undefined] : [token.slice(0, eq), token.slice(eq + 1)];
}

export function parseExporter(value: string, source: string): ExporterKind {
  if (value === "cli" || value === "compose") return value;
  throw new UsageError(`${source} must be 'cli' or 'compose', got '${value}'.`);
}

/** The core options again, as argv (the container's command line; the workflows' host-runner calls). */
export function coreArgv(
  args: Pick<HostArgs, "targets" | "guilds" | "channels" | "strict">,
  config: string,
): string[] {
  return [
    "--config",
    config,
    ...args.targets.flatMap((t) => ["--target", t]),
    ...args.guilds.flatMap((g) => ["--guild", g]),
    ...args.channels.flatMap((c) => ["--channel", c]),
    ...(args.strict ? ["--strict"] : []),
  ];
}
