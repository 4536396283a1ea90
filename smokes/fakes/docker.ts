#!/usr/bin/env -S deno run --no-prompt -A
// A fake docker/compose for the host-runner smokes: records each `compose run`, then behaves per FAKE_DOCKER_MODE.
//
// Answers `compose version` / `version`; `info` fails (not podman). For
// `compose --env-file F -f C run [-T] --rm [-e K=V]... discord-scraper <sub> <args...>`:
//   FAKE_DOCKER_COUNT     file holding the number of `compose run` invocations (incremented)
//   FAKE_DOCKER_LOG       append one JSON line per run: argv, the env file's path and mode, cwd,
//                         and whether DISCORD_TOKEN was in our own environment
//   FAKE_DOCKER_ENV_COPY  append the env file's text (for assertions on its content; holds the token)
//   FAKE_DOCKER_MODE      ok (default) | stream | auth-refresh | forbidden | summary | exit:<n> |
//                         noise-401 | hang | core
//     stream        prints streaming-line1, waits for the file FAKE_DOCKER_RELEASE, prints streaming-line2
//     auth-refresh  token != FAKE_DOCKER_GOOD_TOKEN (default fresh-token): DCE's auth error, writes
//                   the good token into FAKE_DOCKER_TOKEN_FILE, exit 1; else success
//     forbidden     `Request to 'channels/111' failed: forbidden.`, exit 1, every time
//     summary       a DCE_JSON_SUMMARY: line on stderr (merged 42, messages_appended 7), exit 0
//     noise-401     output full of 401/403 digits, exit 4 (must not count as an auth failure)
//     hang          prints container started, writes its pid to FAKE_DOCKER_PID_FILE, waits; on
//                   SIGINT/SIGTERM/SIGHUP writes the name to FAKE_DOCKER_SIGNAL_FILE, exit 128+n
//     core          runs OUR core (scripts/run-scrape.ts) as the container: env file → environment,
//                   /config and /logs → <compose file dir>/config and /logs, DCE_CLI_BIN from
//                   FAKE_DOCKER_CLI_BIN
import { dirname, join, resolve } from "node:path";

const encoder = new TextEncoder();
const out = (text: string) => Deno.stdout.writeSync(encoder.encode(text + "\n"));
const err = (text: string) => Deno.stderr.writeSync(encoder.encode(text + "\n"));
const env = (name: string) => Deno.env.get(name) ?? "";
const ROOT = resolve(import.meta.dirname ?? ".", "..", "..");

function parseEnvFile(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return values;
}

async function bumpCount(): Promise<void> {
  const file = env("FAKE_DOCKER_COUNT");
  if (!file) return;
  let n = 0;
  try {
    n = Number((await Deno.readTextFile(file)).trim()) || 0;
  } catch { /* first run */ }
  await Deno.writeTextFile(file, `${n + 1}\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForFile(path: string, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      await Deno.stat(path);
      return true;
    } catch {
      await sleep(25);
    }
  }
  return false;
}

async function runCompose(args: string[]): Promise<number> {
  let envFile = "";
  let composeFile = "";
  let i = 0;
  for (; i < args.length; i++) {
    if (args[i] === "--env-file") envFile = args[++i] ?? "";
    else if (args[i] === "-f") composeFile = args[++i] ?? "";
    else break;
  }
  if (args[i] === "version") {
    out("Docker Compose version v2.99.0-fake");
    return 0;
  }
  if (args[i] !== "run") {
    err(`fake docker: unsupported compose command: ${args.slice(i).join(" ")}`);
    return 2;
  }
  // `run` options before the service: -T, --rm and `-e KEY=VALUE` (set in the container).
  const runEnv: Record<string, string> = {};
  let j = i + 1;
  for (; args[j] === "-T" || args[j] === "--rm" || args[j] === "-e"; j++) {
    if (args[j] !== "-e") continue;
    const pair = args[++j] ?? "";
    runEnv[pair.slice(0, pair.indexOf("="))] = pair.slice(pair.indexOf("=") + 1);
  }
  const rest = args.slice(j);
  if (rest[0] !== "discord-scraper") {
    err(`fake docker: unknown service ${rest[0]}`);
    return 2;
  }
  const [sub, ...coreArgs] = rest.slice(1);
  await bumpCount();
  const envText = envFile ? await Deno.readTextFile(envFile) : "";
  const envMode = envFile ? ((await Deno.stat(envFile)).mode ?? 0) & 0o777 : null;
  if (env("FAKE_DOCKER_LOG")) {
    await Deno.writeTextFile(
      env("FAKE_DOCKER_LOG"),
      JSON.stringify({
        argv: ["compose", ...args],
        envFile,
        envMode,
        cwd: Deno.cwd(),
        tokenInOwnEnv: Deno.env.get("DISCORD_TOKEN") !== undefined,
      }) + "\n",
      { append: true },
    );
  }
  if (env("FAKE_DOCKER_ENV_COPY")) {
    await Deno.writeTextFile(env("FAKE_DOCKER_ENV_COPY"), envText + "---\n", { append: true });
  }
  const fileEnv = parseEnvFile(envText);
  const mode = env("FAKE_DOCKER_MODE") || "ok";
  switch (mode) {
    case "ok":
      out("run succeeded");
      return 0;
    case "stream": {
      out("streaming-line1");
      const released = await waitForFile(env("FAKE_DOCKER_RELEASE"), 120_000);
      out(released ? "streaming-line2" : "streaming-timeout");
      return released ? 0 : 1;
    }
    case "auth-refresh": {
      const good = env("FAKE_DOCKER_GOOD_TOKEN") || "fresh-token";
      if (fileEnv["DISCORD_TOKEN"] === good) {
        out("run succeeded with refreshed token");
        return 0;
      }
      err("ERROR");
      err(
        "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Authentication token is invalid.",
      );
      if (env("FAKE_DOCKER_TOKEN_FILE")) {
        await Deno.writeTextFile(env("FAKE_DOCKER_TOKEN_FILE"), `${good}\n`);
      }
      return 1;
    }
    case "forbidden":
      err("ERROR");
      err(
        "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Request to 'channels/111' failed: forbidden.",
      );
      return 1;
    case "summary":
      out("run succeeded");
      err(
        'DCE_JSON_SUMMARY: {"version":1,"finished_at":"2026-01-01T00:00:00Z","totals":{"created":0,"merged":42,"unchanged":0,"skipped":0,"skipped_oom":0,"messages_appended":7},"channels":[]}',
      );
      return 0;
    case "noise-401":
      out("Exporting channel 1401403401 (401 messages, 403 KiB)");
      err("failed with status 4013");
      return 4; // a failure (3 is the core's "partial")
    case "hang":
      return await hang();
    case "core":
      return await runCore(
        sub ?? "",
        coreArgs,
        { ...fileEnv, ...runEnv },
        dirname(resolve(composeFile)),
      );
    default: {
      const exit = /^exit:(\d+)$/.exec(mode);
      if (exit) {
        err(`fake container failed on purpose (exit ${exit[1]})`);
        return Number(exit[1]);
      }
      err(`fake docker: unknown FAKE_DOCKER_MODE ${mode}`);
      return 2;
    }
  }
}

async function hang(): Promise<number> {
  const codes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  const got = new Promise<Deno.Signal>((resolveSignal) => {
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as Deno.Signal[]) {
      Deno.addSignalListener(s, () => resolveSignal(s));
    }
  });
  // The pid file first: a smoke reads it as soon as it sees "container started".
  if (env("FAKE_DOCKER_PID_FILE")) {
    await Deno.writeTextFile(env("FAKE_DOCKER_PID_FILE"), `${Deno.pid}\n`);
  }
  out("container started");
  const signal = await got;
  if (env("FAKE_DOCKER_SIGNAL_FILE")) {
    await Deno.writeTextFile(env("FAKE_DOCKER_SIGNAL_FILE"), signal);
  }
  out(`container got ${signal}`);
  return codes[signal] ?? 1;
}

/** The "container": our core with the env file as its environment and the two bind mounts mapped. */
async function runCore(
  sub: string,
  coreArgs: string[],
  fileEnv: Record<string, string>,
  projectDir: string,
): Promise<number> {
  const mapPath = (p: string) =>
    p.startsWith("/config/")
      ? join(projectDir, "config", p.slice(8))
      : p.startsWith("/logs/")
      ? join(projectDir, "logs", p.slice(6))
      : p;
  const childEnv: Record<string, string> = { ...Deno.env.toObject(), ...fileEnv };
  if (childEnv["DCE_RUN_SUMMARY_FILE"]) {
    childEnv["DCE_RUN_SUMMARY_FILE"] = mapPath(childEnv["DCE_RUN_SUMMARY_FILE"]);
  }
  if (env("FAKE_DOCKER_CLI_BIN")) childEnv["DCE_CLI_BIN"] = env("FAKE_DOCKER_CLI_BIN");
  const args = coreArgs.map((a, i) => (coreArgs[i - 1] === "--config" ? mapPath(a) : a));
  // Like `docker run --init`: we stay alive on a signal (the runner signals our whole process
  // group, so the core gets it directly) and exit with the core's status.
  for (const s of ["SIGINT", "SIGTERM", "SIGHUP"] as Deno.Signal[]) {
    Deno.addSignalListener(s, () => {});
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "-A", join(ROOT, "scripts", "run-scrape.ts"), sub, ...args],
    env: childEnv,
    clearEnv: true,
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const status = await child.status;
  return status.signal
    ? 128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 }[status.signal as string] ?? 0)
    : status.code;
}

async function main(args: string[]): Promise<number> {
  if (args[0] === "compose") return await runCompose(args.slice(1));
  if (args[0] === "version") {
    out("Docker version 99.0.0-fake");
    return 0;
  }
  if (args[0] === "info") {
    err("fake docker: info is not supported (this is not podman)");
    return 1;
  }
  err(`fake docker: unsupported command: ${args.join(" ")}`);
  return 2;
}

Deno.exit(await main(Deno.args));
