// The core's command line (§8.4): mode, then --config/--target/--guild/--channel; exact bash error texts, exit 1.
import { UsageError } from "../cli/errors.ts";
import type { CoreMode } from "./core_options.ts";

export type CoreCommand =
  | { kind: "help" }
  | {
    kind: "mode";
    mode: CoreMode;
    help: boolean;
    config?: string;
    targets: string[];
    guilds: string[];
    channels: string[];
  }
  | { kind: "list-targets"; help: boolean; config?: string }
  | { kind: "passthrough"; args: string[] };

const MODES: readonly string[] = ["scrape", "preflight", "salvage"];
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
      else throw new UsageError(`Unknown list-targets option: ${arg}`, 1);
    }
    return out;
  }
  if (!MODES.includes(first)) return { kind: "passthrough", args: [...argv] };
  const out: Extract<CoreCommand, { kind: "mode" }> = {
    kind: "mode",
    mode: first as CoreMode,
    help: false,
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
        throw new UsageError(`Unknown ${first} option: ${arg}`, 1);
    }
  }
  return out;
}

function value(args: readonly string[], index: number, name: string): string {
  const v = args[index];
  if (v === undefined || v === "" || v.startsWith("--")) {
    throw new UsageError(`Missing value for --${name}.`, 1);
  }
  return v;
}

function id(v: string, name: string): string {
  if (!ID.test(v)) {
    throw new UsageError(`--${name} '${v}' is not a Discord id (digits only).`, 1);
  }
  return v;
}
