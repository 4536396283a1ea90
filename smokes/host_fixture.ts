// Shared set-up for the host-runner smokes: a throw-away repo root with config, archive, compose file, env file.
import { join } from "node:path";
import { childEnv, FAKES, runTool, SCALE, toolArgs, type ToolRun } from "./_harness.ts";

export const FAKE_DOCKER = join(FAKES, "docker");
export const FAKE_DCE_CLI = join(FAKES, "dce-cli");
export const CHANNEL = "111111111111111111";

export interface HostRepo {
  root: string;
  archive: string;
  config: string;
  envFile: string;
  tmp: string;
  count: string;
  log: string;
  envCopy: string;
  /** Environment for a run: repo root, fake docker, private TMPDIR, recording files. */
  env(extra?: Record<string, string>): Record<string, string>;
  dockerCalls(): Promise<number>;
  dockerLog(): Promise<
    { argv: string[]; envFile: string; envMode: number; tokenInOwnEnv: boolean }[]
  >;
  envCopies(): Promise<string[]>;
  writeConfig(config: unknown): Promise<void>;
}

export interface RepoOptions {
  /** Targets of the config; default one channel-scoped target "demo". */
  targets?: Record<string, unknown>[];
  /** Content of scrape.env; null = no env file. */
  envFile?: string | null;
  composeFile?: boolean;
}

export async function makeRepo(dir: string, opts: RepoOptions = {}): Promise<HostRepo> {
  const root = join(dir, "repo");
  const archive = join(dir, "archive");
  const tmp = join(dir, "tmp");
  for (const d of [join(root, "config"), archive, tmp]) await Deno.mkdir(d, { recursive: true });
  const config = join(root, "config", "scrape-targets.json");
  const envFile = join(root, "scrape.env");
  const repo: HostRepo = {
    root,
    archive,
    config,
    envFile,
    tmp,
    count: join(dir, "docker-count"),
    log: join(dir, "docker-log.jsonl"),
    envCopy: join(dir, "docker-env-copy"),
    env: (extra = {}) => ({
      DCE_REPO_ROOT: root,
      DCE_DOCKER_BIN: FAKE_DOCKER,
      TMPDIR: tmp,
      HOME: join(dir, "home"),
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      FAKE_DOCKER_COUNT: join(dir, "docker-count"),
      FAKE_DOCKER_LOG: join(dir, "docker-log.jsonl"),
      FAKE_DOCKER_ENV_COPY: join(dir, "docker-env-copy"),
      ...extra,
    }),
    async dockerCalls() {
      try {
        return Number((await Deno.readTextFile(repo.count)).trim());
      } catch {
        return 0;
      }
    },
    async dockerLog() {
      try {
        return (await Deno.readTextFile(repo.log)).trim().split("\n").map((l) => JSON.parse(l));
      } catch {
        return [];
      }
    },
    async envCopies() {
      try {
        return (await Deno.readTextFile(repo.envCopy)).split("---\n").filter((s) => s !== "");
      } catch {
        return [];
      }
    },
    writeConfig: (c) => Deno.writeTextFile(config, JSON.stringify(c, null, 2)),
  };
  await repo.writeConfig({
    archive_root: archive,
    targets: opts.targets ??
      [{ name: "demo", output_dir: join(archive, "demo"), channel_ids: [CHANNEL] }],
  });
  if (opts.composeFile !== false) {
    await Deno.writeTextFile(
      join(root, "docker-compose.yml"),
      "services:\n  discord-scraper: {}\n",
    );
  }
  const envText = opts.envFile === undefined ? "DISCORD_TOKEN=dummy-token\n" : opts.envFile;
  if (envText !== null) await Deno.writeTextFile(envFile, envText);
  return repo;
}

export function host(args: string[], env: Record<string, string>): Promise<ToolRun> {
  return runTool("run-scrape-host", args, { env });
}

/** Files under `dir` (recursively), as relative paths, sorted. */
export async function listTree(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(d: string, prefix: string) {
    let entries: Deno.DirEntry[] = [];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      found.push(rel);
      if (e.isDirectory) await walk(join(d, e.name), rel);
    }
  }
  await walk(dir, "");
  return found.sort();
}

/** A live run-scrape-host process, for streaming and signal smokes. */
export interface LiveRun {
  child: Deno.ChildProcess;
  /** Resolves when a stdout or stderr line matches; rejects after timeoutMs × DCE_SMOKE_SCALE. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Everything read so far. */
  text(): string;
  done: Promise<{ code: number; signal: Deno.Signal | null; output: string }>;
}

export function spawnHost(args: string[], env: Record<string, string>): LiveRun {
  const child = new Deno.Command(Deno.execPath(), {
    args: toolArgs("run-scrape-host", args),
    env: childEnv(env),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let text = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      for (const w of [...waiters]) {
        if (w.pattern.test(text)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const done = (async () => {
    const status = await child.status;
    await pumps;
    return { code: status.code, signal: status.signal, output: text };
  })();
  return {
    child,
    text: () => text,
    done,
    waitFor(pattern, timeoutMs = 60_000) {
      if (pattern.test(text)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`)),
          timeoutMs * SCALE,
        );
        waiters.push({
          pattern,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
        done.then(() => {
          if (!pattern.test(text)) {
            clearTimeout(timer);
            reject(new Error(`process ended before ${pattern}; output:\n${text}`));
          }
        });
      });
    },
  };
}
