#!/usr/bin/env -S deno run --no-prompt -A
// A fake DiscordChatExporter CLI that honours docs/dce-cli.md over a synthetic world file.
//
// Environment: FAKE_DCE_WORLD (required: the world JSON, see fake_dce_world.ts), FAKE_DCE_LOG (append one
// JSON line per invocation: argv, whether a token came from argv or env, exit, the fake's own elapsed ms),
// FAKE_DCE_VERSION (override world.version), FAKE_DCE_DELAY_MS (sleep before each message),
// FAKE_DCE_REJECT_TOKEN=1 (reject every token), FAKE_DCE_PIDFILE (append the fake's pid at start). Token: -t/--token, else DISCORD_TOKEN.
import { dirname, extname, isAbsolute, join, resolve } from "node:path";
import { bindArgs, COMMANDS, parseSnowflakeOrDate } from "./fake_dce_args.ts";
import {
  formatTimestamp,
  type JsonValue,
  renderMessageChunk,
  renderPreamble,
  renderTail,
  snowflakeToMs,
} from "./fake_dce_json.ts";
import {
  channelType,
  type FakeChannel,
  type FakeWorld,
  guildOf,
  hierarchicalName,
  messageIds,
  messagesInRange,
  parentOf,
  readWorld,
} from "./fake_dce_world.ts";

const encoder = new TextEncoder();
const started = performance.now();

function out(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}
function err(text: string): void {
  Deno.stderr.writeSync(encoder.encode(text));
}

function versionOf(world: FakeWorld): number[] {
  const text = Deno.env.get("FAKE_DCE_VERSION") || world.version || "2.47";
  const parts = text.split(".").map((p) => Number(p));
  while (parts.length < 3) parts.push(0);
  return parts;
}

function atLeast(version: number[], wanted: number[]): boolean {
  for (let i = 0; i < 3; i++) {
    const a = version[i] ?? 0, b = wanted[i] ?? 0;
    if (a !== b) return a > b;
  }
  return true;
}

function errorDump(type: string, message: string): number {
  err(
    `ERROR\n${type}: ${message}\n` +
      "   at DiscordChatExporter.Core.Discord.DiscordClient.GetJsonResponseAsync(String url, CancellationToken cancellationToken)\n" +
      "   at DiscordChatExporter.Cli.Commands.Base.DiscordCommandBase.ExecuteAsync(IConsole console)\n",
  );
  return 1;
}

const DCE_EXCEPTION = "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException";

function help(command: string | undefined): string {
  const usage = command
    ? `  DiscordChatExporter.Cli ${command} [options]`
    : "  DiscordChatExporter.Cli [command] [...]";
  return `DiscordChatExporter.Cli (fake)\n\nUSAGE\n${usage}\n\nCOMMANDS\n  export, guilds, channels, dm\n`;
}

let tokenSource: "argv" | "env" | "none" = "none";

async function logInvocation(argv: string[], exit: number | string): Promise<void> {
  const path = Deno.env.get("FAKE_DCE_LOG");
  if (!path) return;
  const line = JSON.stringify({
    argv,
    tokenSource,
    tokenEnvSet: Boolean(Deno.env.get("DISCORD_TOKEN")),
    pid: Deno.pid,
    cwd: Deno.cwd(),
    exit,
    elapsedMs: Math.round((performance.now() - started) * 1000) / 1000,
  });
  await Deno.writeTextFile(path, `${line}\n`, { append: true });
}

let currentArgv: string[] = [];

export async function main(argv: string[]): Promise<number> {
  currentArgv = argv;
  const pidFile = Deno.env.get("FAKE_DCE_PIDFILE");
  if (pidFile) await Deno.writeTextFile(pidFile, `${Deno.pid}\n`, { append: true });
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h") {
    out(help(undefined));
    return 0;
  }
  const worldPath = Deno.env.get("FAKE_DCE_WORLD");
  if (!worldPath) {
    err("fake-dce: FAKE_DCE_WORLD is not set (point it at a world JSON file).\n");
    return 98;
  }
  const world = await readWorld(worldPath);
  const version = versionOf(world);
  if (argv[0] === "--version") {
    out(`v${version.join(".")}\n`);
    return 0;
  }
  const command = (argv[0] ?? "").toLowerCase();
  const schema = COMMANDS[command];
  if (!schema) {
    err(`Unrecognized command: ${argv[0]}\n`);
    out(help(undefined));
    return 1;
  }
  const rest = argv.slice(1);
  if (rest.includes("--help") || rest.includes("-h")) {
    out(help(command));
    return 0;
  }
  const bound = bindArgs(schema, rest, (name) => Deno.env.get(name));
  if (!bound.ok) {
    err(`${bound.stderr}\n`);
    out(help(command));
    return 1;
  }
  const values = bound.values;
  const tokenInArgv = rest.some((a) =>
    a === "-t" || /^--token$/i.test(a) || /^-[a-zA-Z]*t/.test(a)
  );
  tokenSource = tokenInArgv ? "argv" : "env";
  const token = values.get("token")?.[0] ?? "";
  if (
    world.rejectToken || Deno.env.get("FAKE_DCE_REJECT_TOKEN") === "1" || token === "" ||
    (world.token !== undefined && token !== world.token)
  ) {
    if (command === "export" && values.get("fuck-russia")?.[0] !== "true") banner();
    return errorDump(DCE_EXCEPTION, "Authentication token is invalid.");
  }
  switch (command) {
    case "guilds":
      return listGuilds(world);
    case "channels":
      return listChannels(world, values);
    case "dm":
      return listDms(world);
    default:
      return await exportChannels(world, version, values);
  }
}

function padded(rows: Array<[string, string]>): string {
  const width = Math.max(0, ...rows.map(([id]) => id.length));
  return rows.map(([id, name]) => `${id.padEnd(width)} | ${name}\n`).join("");
}

function listGuilds(world: FakeWorld): number {
  if (world.failGuilds) {
    return errorDump(DCE_EXCEPTION, "Request to 'users/@me/guilds?limit=200' failed: forbidden.");
  }
  const guilds = [...(world.guilds ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  out(padded([["0", "Direct Messages"], ...guilds.map((g): [string, string] => [g.id, g.name])]));
  return 0;
}

function listChannels(world: FakeWorld, values: Map<string, string[]>): number {
  const guildId = String(parseSnowflakeOrDate(values.get("guild")?.[0] ?? "0"));
  const includeVc = (values.get("include-vc")?.[0] ?? "true") === "true";
  const threadsRaw = (values.get("include-threads")?.[0] ?? "none").toLowerCase();
  const threadMode = threadsRaw === "true"
    ? "active"
    : threadsRaw === "false"
    ? "none"
    : threadsRaw;
  if (!["none", "active", "all"].includes(threadMode)) {
    err(
      `Option --include-threads cannot be set from the provided argument(s):\n${threadsRaw}\nError: Invalid thread inclusion mode '${threadsRaw}'.\n`,
    );
    return 1;
  }
  const guild = world.guilds?.find((g) => g.id === guildId);
  const all = world.channels ?? [];
  if (guildId === "0") return listDms(world);
  if (!guild) return errorDump(DCE_EXCEPTION, `Request to 'guilds/${guildId}' failed: not found.`);
  if (guild.forbidden) {
    return errorDump(DCE_EXCEPTION, `Request to 'guilds/${guildId}/channels' failed: forbidden.`);
  }
  const channels = all
    .filter((c) => c.guildId === guildId && !c.parentId)
    .filter((c) => includeVc || !["GuildVoiceChat", "GuildStageVoice"].includes(channelType(c)))
    .sort((a, b) =>
      (a.category ? 1 : 0) - (b.category ? 1 : 0) ||
      (a.category ?? "").localeCompare(b.category ?? "") || a.name.localeCompare(b.name)
    );
  const width = Math.max(0, ...channels.map((c) => c.id.length));
  let text = "";
  for (const channel of channels) {
    text += `${channel.id.padEnd(width)} | ${hierarchicalName(world, channel)}\n`;
    if (threadMode === "none") continue;
    const threads = all.filter((t) =>
      t.parentId === channel.id && (threadMode === "all" || !t.archived)
    );
    const tw = Math.max(0, ...threads.map((t) => t.id.length));
    for (const t of threads) {
      text += ` * ${t.id.padEnd(tw)} | Thread / ${t.name} | ${
        t.archived ? "Archived" : "Active"
      }\n`;
    }
  }
  out(text);
  return 0;
}

function listDms(world: FakeWorld): number {
  if (world.failDm) {
    return errorDump(DCE_EXCEPTION, "Request to 'users/@me/channels' failed: forbidden.");
  }
  const dms = (world.channels ?? []).filter((c) => c.guildId === "0");
  const last = (c: FakeChannel) => messageIds(c).at(-1) ?? 0n;
  dms.sort((a, b) => {
    const x = last(a), y = last(b);
    return x === y ? a.name.localeCompare(b.name) : x > y ? -1 : 1;
  });
  out(padded(dms.map((c): [string, string] => [c.id, c.name])));
  return 0;
}

function banner(): void {
  const line = "=".repeat(72);
  out(
    [
      line,
      "||  Thank you for supporting Ukraine <3",
      "||",
      "||  As Russia wages a genocidal war against my country,",
      "||  I'm grateful to everyone who continues to",
      "||  stand with Ukraine in our fight for freedom.",
      "||",
      "||  Learn more: https://tyrrrz.me/ukraine",
      line,
      "",
      "",
    ].join("\n"),
  );
}

function escapeFileName(name: string): string {
  return name.replace(/[\0/\\:*?"<>|]/g, "_");
}

function localDate(id: bigint): string {
  return new Date(snowflakeToMs(id)).toISOString().slice(0, 10);
}

/** docs/dce-cli.md#output-path: template tokens, directory vs file, default file name. */
function outputPathFor(
  world: FakeWorld,
  raw: string,
  channel: FakeChannel,
  after: bigint | null,
  before: bigint | null,
): string {
  const guild = guildOf(world, channel);
  const parent = parentOf(world, channel);
  const substituted = raw.replace(/%(.)/g, (whole, t: string) => {
    switch (t) {
      case "g":
        return escapeFileName(guild.id);
      case "G":
        return escapeFileName(guild.name);
      case "t":
        return escapeFileName(parent.id ?? "");
      case "T":
        return escapeFileName(parent.name ?? "");
      case "c":
        return escapeFileName(channel.id);
      case "C":
        return escapeFileName(channel.name);
      case "p":
      case "P":
        return "0";
      case "a":
        return after === null ? "" : localDate(after);
      case "b":
        return before === null ? "" : localDate(before);
      case "d":
        return new Date().toISOString().slice(0, 10);
      case "%":
        return "%";
      default:
        return whole;
    }
  });
  const absolute = isAbsolute(substituted) ? substituted : resolve(Deno.cwd(), substituted);
  let isDir = raw.endsWith("/") || extname(substituted) === "";
  try {
    if (Deno.statSync(absolute).isDirectory) isDir = true;
  } catch { /* does not exist yet */ }
  if (!isDir) return absolute;
  let base = escapeFileName(guild.name);
  if (parent.name) base += ` - ${escapeFileName(parent.name)}`;
  base += ` - ${escapeFileName(channel.name)} [${channel.id}]`;
  if (after !== null && before !== null) {
    base += ` (${localDate(after)} to ${localDate(before)})`;
  } else if (after !== null) base += ` (after ${localDate(after)})`;
  else if (before !== null) base += ` (before ${localDate(before)})`;
  return join(absolute, `${base}.json`);
}

type Partition = { kind: "count"; n: number } | { kind: "size"; bytes: number } | null;

function parsePartition(value: string | undefined): Partition | "invalid" {
  if (value === undefined) return null;
  if (/^\d+$/.test(value)) return { kind: "count", n: Number(value) };
  const m = /^\s*(\d+(?:[.,]\d+)?)\s*([kmg]?)b\s*$/i.exec(value);
  if (!m) return "invalid";
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9 }[(m[2] ?? "").toLowerCase()] ?? 1;
  return { kind: "size", bytes: Number((m[1] ?? "0").replace(",", ".")) * scale };
}

/** Streams one channel into one or more part files, opening each lazily as DCE does (docs/dce-cli.md#interrupted-exports, docs/dce-cli.md#partitions). */
class PartWriter {
  #file: Deno.FsFile | null = null;
  #countInPart = 0;
  #bytesInPart = 0;
  #part = 1;
  total = 0;
  constructor(
    readonly path: string,
    readonly preamble: () => string,
    readonly partition: Partition,
  ) {}

  #partPath(): string {
    if (this.#part === 1) return this.path;
    const ext = extname(this.path);
    return `${this.path.slice(0, this.path.length - ext.length)} [part ${this.#part}]${ext}`;
  }

  #writeRaw(text: string): void {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      offset += (this.#file as Deno.FsFile).writeSync(bytes.subarray(offset));
    }
    this.#bytesInPart += bytes.length;
  }

  #open(): void {
    Deno.mkdirSync(dirname(this.#partPath()), { recursive: true });
    this.#file = Deno.openSync(this.#partPath(), { write: true, create: true, truncate: true });
    this.#countInPart = 0;
    this.#bytesInPart = 0;
    this.#writeRaw(this.preamble());
  }

  write(message: JsonValue): void {
    if (this.#file && this.partition && this.#countInPart > 0) {
      const full = this.partition.kind === "count"
        ? this.#countInPart >= this.partition.n
        : this.#bytesInPart >= this.partition.bytes;
      if (full) {
        this.finish();
        this.#part++;
      }
    }
    if (!this.#file) this.#open();
    this.#writeRaw(renderMessageChunk(message, this.#countInPart === 0));
    this.#countInPart++;
    this.total++;
  }

  /** Half of the next message, as a kill between two flushes inside a message leaves it. */
  writeTorn(message: JsonValue): void {
    if (!this.#file) this.#open();
    const chunk = renderMessageChunk(message, this.#countInPart === 0);
    this.#writeRaw(chunk.slice(0, Math.floor(chunk.length / 2)));
  }

  finish(): void {
    if (!this.#file) this.#open();
    this.#writeRaw(renderTail(this.#countInPart));
    this.#file?.close();
    this.#file = null;
  }
}

let cancelled = false;

/** Counts this export of the channel (for `flaky`); returns the attempt number, from 1. */
async function countAttempt(channelId: string): Promise<number> {
  const path = `${Deno.env.get("FAKE_DCE_WORLD")}.attempts-${channelId}`;
  let n = 0;
  try {
    n = Number(await Deno.readTextFile(path)) || 0;
  } catch { /* first attempt */ }
  await Deno.writeTextFile(path, String(n + 1));
  return n + 1;
}

/** The ERROR dumps of docs/dce-cli.md#network-errors-and-retries, once DCE's own retries are used up. */
function flakyFailure(mode: "network" | "server-error" | "timeout", channelId: string): number {
  if (mode === "network") {
    err(
      "ERROR\nSystem.Net.Http.HttpRequestException: Name or service not known (discord.com:443)\n" +
        "    System.Net.Sockets.SocketException (00000001, 11): Name or service not known\n" +
        "   at System.Net.Http.HttpConnectionPool.ConnectToTcpHostAsync(String host, Int32 port, HttpRequestMessage initialRequest, Boolean async, CancellationToken cancellationToken)\n",
    );
    return 1;
  }
  if (mode === "timeout") {
    return errorDump(
      "System.Threading.Tasks.TaskCanceledException",
      "The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.",
    );
  }
  return errorDump(
    DCE_EXCEPTION,
    `Request to 'channels/${channelId}/messages?limit=100' failed: service unavailable.\nResponse content: upstream connect error`,
  );
}

async function exportChannels(
  world: FakeWorld,
  version: number[],
  values: Map<string, string[]>,
): Promise<number> {
  const format = (values.get("format")?.[0] ?? "HtmlDark").toLowerCase();
  if (!["plaintext", "htmldark", "htmllight", "csv", "json"].includes(format)) {
    err(
      `Option -f|--format cannot be set from the provided argument(s):\n${
        values.get("format")?.[0]
      }\nError: Value '${values.get("format")?.[0]}' is not a member of enum ExportFormat.\n`,
    );
    return 1;
  }
  const partition = parsePartition(values.get("partition")?.[0]);
  if (partition === "invalid") {
    err(
      `Option -p|--partition cannot be set from the provided argument(s):\n${
        values.get("partition")?.[0]
      }\nError: Invalid partition limit '${values.get("partition")?.[0]}'.\n`,
    );
    return 1;
  }
  if (values.get("fuck-russia")?.[0] !== "true") banner();
  const afterRaw = values.get("after")?.[0];
  const beforeRaw = values.get("before")?.[0];
  const after = afterRaw === undefined ? null : parseSnowflakeOrDate(afterRaw);
  const before = beforeRaw === undefined ? null : parseSnowflakeOrDate(beforeRaw);
  const reverse = values.get("reverse")?.[0] === "true";

  out("Resolving channel(s)...\n");
  const channels: FakeChannel[] = [];
  for (const idText of values.get("channel") ?? []) {
    const id = String(parseSnowflakeOrDate(idText));
    const channel = world.channels?.find((c) => c.id === id);
    if (!channel || channel.notFound) {
      return errorDump(DCE_EXCEPTION, `Request to 'channels/${id}' failed: not found.`);
    }
    if (channel.forbidden === "resolve") {
      return errorDump(DCE_EXCEPTION, `Request to 'channels/${id}' failed: forbidden.`);
    }
    if (!channels.includes(channel)) channels.push(channel);
  }
  const rawOutput = values.get("output")?.[0] ?? Deno.cwd();
  if (channels.length > 1) {
    let isDir = false;
    try {
      isDir = Deno.statSync(rawOutput).isDirectory;
    } catch { /* missing */ }
    if (!rawOutput.includes("%") && !isDir && !rawOutput.endsWith("/")) {
      err(
        `Attempted to export multiple channels, but the output path is neither a directory nor a template. If the provided output path is meant to be treated as a directory, make sure it ends with a slash. Provided output path: '${
          resolve(rawOutput)
        }'.\n`,
      );
      return 1;
    }
  }

  Deno.addSignalListener("SIGINT", () => {
    cancelled = true;
  });
  out(`Exporting ${channels.length} channel(s)...\n`);
  const warnings: string[] = [];
  const errors: string[] = [];
  const modern = atLeast(version, [2, 45, 0]);
  const oldestWording = !atLeast(version, [2, 40, 2]);
  const globalDelay = Number(Deno.env.get("FAKE_DCE_DELAY_MS") || world.delayMs || 0);

  for (const channel of channels) {
    const guild = guildOf(world, channel);
    const parent = parentOf(world, channel);
    const name = hierarchicalName(world, channel);
    const path = outputPathFor(world, rawOutput, channel, after, before);
    const channelJson: { [key: string]: JsonValue } = {
      id: channel.exportAs ?? channel.id,
      type: channelType(channel),
      categoryId: parent.id,
      category: parent.name,
      name: channel.name,
      topic: channel.topic ?? null,
    };
    const preamble = () =>
      renderPreamble({
        guild: {
          id: guild.id,
          name: guild.name,
          iconUrl: guild.id === "0"
            ? "https://cdn.discordapp.com/embed/avatars/0.png"
            : `https://cdn.discordapp.com/icons/${guild.id}/0f1e2d3c4b5a69788796a5b4c3d2e1f0.png?size=512`,
        },
        channel: channelJson,
        dateRange: {
          after: after === null ? null : formatTimestamp(snowflakeToMs(after)),
          before: before === null ? null : formatTimestamp(snowflakeToMs(before)),
        },
        exportedAt: formatTimestamp(
          Date.now(),
          String(Math.floor(Math.random() * 10000)).padStart(4, "0"),
        ),
      });
    if (channelType(channel) === "GuildForum") {
      // docs/dce-cli.md#what-our-code-matches: a per-channel error before the writer exists, so no file.
      errors.push(
        `${name}: Channel '${channel.name}' of guild '${guild.name}' is a forum and cannot be exported directly. You need to pull its threads and export them individually.`,
      );
      continue;
    }
    const writer = new PartWriter(path, preamble, partition);

    if (channel.forbidden === true) {
      if (modern) writer.finish();
      errors.push(
        `${name}: Request to 'channels/${channel.id}/messages?limit=1' failed: forbidden.`,
      );
      continue;
    }
    const ids = messageIds(channel);
    const last = ids.at(-1);
    const emptyText = (within: boolean) =>
      oldestWording
        ? "Channel is empty or contains no messages for the specified period."
        : `Channel '${channel.name}' of guild '${guild.name}' does not contain any messages${
          within ? " within the specified period" : ""
        }`;
    const preEmpty = last === undefined || (after !== null && after >= last) ||
      (before !== null && before <= BigInt(channel.id));
    const within = after !== null || before !== null;
    if (preEmpty) {
      if (modern) {
        writer.finish();
        warnings.push(
          `${name}: ${emptyText(within && last !== undefined)}; an empty file will be created.`,
        );
      } else {
        errors.push(`${name}: ${emptyText(within)}${oldestWording ? "" : "."}`);
      }
      continue;
    }

    if (channel.flaky && (await countAttempt(channel.id)) <= channel.flaky.times) {
      const mode = channel.flaky.mode;
      if (mode === "killed") {
        const [first, second] = [...messagesInRange(channel, guild.id, after, before)];
        if (first) writer.write(first);
        if (second) writer.writeTorn(second);
        await logInvocation(currentArgv, "SIGKILL");
        Deno.kill(Deno.pid, "SIGKILL");
        return 137; // not reached
      }
      return flakyFailure(mode, channel.id);
    }
    const delay = Number(channel.delayMs ?? globalDelay);
    let messages: Iterable<{ [key: string]: JsonValue }> = messagesInRange(
      channel,
      guild.id,
      after,
      before,
    );
    if (reverse) messages = [...messages].reverse();
    let written = 0;
    for (const message of messages) {
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      else if (written % 200 === 0) await new Promise((r) => setTimeout(r, 0));
      if (cancelled) {
        writer.finish();
        return errorDump("System.OperationCanceledException", "The operation was canceled.");
      }
      if (channel.killAfter === written) {
        writer.writeTorn(message);
        await logInvocation(currentArgv, "SIGKILL");
        Deno.kill(Deno.pid, "SIGKILL");
      }
      if (channel.crashAfter && channel.crashAfter.messages === written) {
        err(`${channel.crashAfter.text ?? "Aborted (core dumped)"}\n`);
        await logInvocation(currentArgv, channel.crashAfter.code);
        Deno.exit(channel.crashAfter.code);
      }
      if (channel.enospcAfter === written) {
        return errorDump("System.IO.IOException", `No space left on device : '${path}'`);
      }
      writer.write(message);
      written++;
    }
    if (writer.total === 0 && modern) {
      writer.finish();
      warnings.push(`${name}: ${emptyText(true)}; an empty file will be created.`);
      continue;
    }
    if (writer.total === 0) {
      errors.push(`${name}: ${emptyText(true)}${oldestWording ? "" : "."}`);
      continue;
    }
    writer.finish();
    out(`${name}: 100%\n`);
  }

  out(`Successfully exported ${channels.length - errors.length} channel(s).\n`);
  if (warnings.length > 0) {
    out("\n");
    err(`Warnings reported for the following channel(s):\n${warnings.join("\n")}\n\n`);
  }
  if (errors.length > 0) {
    out("\n");
    err(`Failed to export the following channel(s):\n${errors.join("\n")}\n\n`);
  }
  if (errors.length >= channels.length) {
    err("Export failed.\n");
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  const argv = [...Deno.args];
  const code = await main(argv);
  await logInvocation(argv, code);
  Deno.exit(code);
}
