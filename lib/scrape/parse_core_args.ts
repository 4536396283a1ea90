// The core's command line (docs/tools.md#run-scrape): mode, then --config/--target/--guild/--channel; the shared usage errors (exit 2).
import {
  MissingValueError,
  UnexpectedArgumentError,
  UnknownOptionError,
  UnknownSubcommandError,
  UsageError,
} from "../cli/errors.ts";
import type { CoreMode } from "./core_options.ts";
import { parseConflictExitCode, parseWaitSeconds } from "../lock/lock_wait_options.ts";

export type CoreCommand =
  | { kind: "help" }
  | {
    kind: "mode";
    mode: CoreMode;
    help: boolean;
    /** --strict: any skipped channel makes the scrape partial (exit 3). */
    strict: boolean;
    /** --wait SECONDS: keep trying a busy lock (scrape, salvage); 0 fails at once. */
    waitSeconds: number;
    /** --conflict-exit-code N: the exit status when the lock stays busy. */
    conflictExitCode?: number;
    config?: string;
    targets: string[];
    guilds: string[];
    channels: string[];
  }
  | { kind: "list-targets"; help: boolean; config?: string }
  | { kind: "passthrough"; args: string[] };

const MODES: readonly string[] = ["scrape", "preflight", "salvage"];
const OPTIONS = [
  "--config",
  "--target",
  "--guild",
  "--channel",
  "--wait",
  "--conflict-exit-code",
];
/**
 * The DCE CLI's own commands, run as they are (the container's entry point passes them on). Only
 * these (case-insensitive, as the CLI matches them): any other word is refused here, so a typo
 * such as `scarpe` never reaches the exporter.
 */
export function isDceCliCommand(word: string | undefined): boolean {
  return word !== undefined && DCE_CLI_COMMANDS.includes(word.toLowerCase());
}

const DCE_CLI_COMMANDS: readonly string[] = [
  "export",
  "exportdm",
  "exportguild",
  "exportall",
  "channels",
  "dm",
  "guilds",
  "guide",
];
const ID = /^[0-9]+$/;

export function parseCoreArgs(argv: readonly string[]): CoreCommand {
  const [first, ...rest] = argv;
  if (first === undefined || first === "help" || first === "-h" || first === "--help") {
    return { kind: "help" };
  }
  if (first === "list-targets") {
    const out: CoreCommand = { kind: "list-targets", help: false };
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i] as string;
      if (arg === "-h" || arg === "--help") out.help = true;
      else if (arg === "--config") out.config = value(rest, ++i, "config");
      else throw optionError(arg, ["--config"]);
    }
    return out;
  }
  if (isDceCliCommand(first)) return { kind: "passthrough", args: [...argv] };
  if (!MODES.includes(first)) {
    if (first.startsWith("-")) throw new UnknownOptionError(first, ["--help"]);
    throw new UnknownSubcommandError(first, [...MODES, "list-targets", ...DCE_CLI_COMMANDS]);
  }
  const out: Extract<CoreCommand, { kind: "mode" }> = {
    kind: "mode",
    mode: first as CoreMode,
    help: false,
    strict: false,
    waitSeconds: 0,
    targets: [],
    guilds: [],
    channels: [],
  };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    switch (arg) {
      case "-h":
      case "--help":
        out.help = true;
        break;
      case "--config":
        out.config = value(rest, ++i, "config");
        break;
      case "--strict":
        out.strict = true;
        break;
      case "--wait":
        out.waitSeconds = parseWaitSeconds(value(rest, ++i, "wait"));
        break;
      case "--conflict-exit-code":
        out.conflictExitCode = parseConflictExitCode(value(rest, ++i, "conflict-exit-code"));
        break;
      case "--target":
        out.targets.push(value(rest, ++i, "target"));
        break;
      case "--guild":
        out.guilds.push(id(value(rest, ++i, "guild"), "guild"));
        break;
      case "--channel":
        out.channels.push(id(value(rest, ++i, "channel"), "channel"));
        break;
      default:
        throw optionError(arg, OPTIONS);
    }
  }
  return out;
}

function optionError(arg: string, known: string[]): UsageError {
  return arg.startsWith("-")
    ? new UnknownOptionError(arg, known)
    : new UnexpectedArgumentError(arg);
}

function value(args: readonly string[], index: number, name: string): string {
  const v = args[index];
  if (v === undefined || v === "" || v.startsWith("--")) {
    throw new MissingValueError(`--${name}`);
  }
  return v;
}

function id(v: string, name: string): string {
  if (!ID.test(v)) {
    throw new UsageError(`--${name} '${v}' is not a Discord id (digits only).`);
  }
  return v;
}
