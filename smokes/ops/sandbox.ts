// A throwaway archive root for the ops smokes: config, fake Discord world, seeded archives, env, lock holders.
import { join } from "node:path";
import { childEnv, FAKES, spawnTool, waitFor } from "../_harness.ts";

export const GUILD = { id: "222222222222222222", name: "Demo Guild" };

export interface SandboxTarget {
  name: string;
  channel: string;
  /** Messages in the world at the start; the seeded archive holds `seeded` of them. */
  count: number;
  seeded?: number;
  enabled?: boolean;
  containerMemory?: string;
}

export interface Sandbox extends AsyncDisposable {
  dir: string;
  archiveRoot: string;
  config: string;
  world: string;
  logs: string;
  lock: string;
  env: Record<string, string>;
  outputDir(target: string): string;
  archivePath(target: SandboxTarget): string;
  /** Sets a channel's message count in the fake world (the world "grows"). */
  grow(channel: string, count: number): Promise<void>;
}

export const DEMO: SandboxTarget = {
  name: "demo",
  channel: "111111111111111111",
  count: 5,
  seeded: 3,
};
export const DEMO2: SandboxTarget = {
  name: "demo2",
  channel: "333333333333333333",
  count: 4,
  seeded: 2,
};

async function fakeExport(env: Record<string, string>, channel: string, output: string) {
  const out = await new Deno.Command(join(FAKES, "dce-cli"), {
    args: ["export", "--channel", channel, "--format", "Json", "--output", output],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`fake export failed: ${new TextDecoder().decode(out.stderr)}`);
}

/** Builds the sandbox; targets with `seeded` get an archive exported by the fake CLI at that size. */
export async function sandbox(targets: SandboxTarget[] = [DEMO]): Promise<Sandbox> {
  const dir = await Deno.makeTempDir({ prefix: "dce-ops-smoke-" });
  const archiveRoot = join(dir, "archive");
  const world = join(dir, "world.json");
  const config = join(dir, "scrape-targets.json");
  const logs = join(dir, "logs");
  await Deno.mkdir(join(dir, "home"), { recursive: true });
  await Deno.mkdir(archiveRoot);
  const outputDir = (name: string) => join(archiveRoot, name);
  const archivePath = (t: SandboxTarget) =>
    join(outputDir(t.name), `${GUILD.name} - Text - general [${t.channel}].json`);
  const channels = targets.map((t) => ({
    id: t.channel,
    guildId: GUILD.id,
    name: "general",
    category: "Text",
    count: t.count,
  }));
  await Deno.writeTextFile(world, JSON.stringify({ guilds: [GUILD], channels }, null, 2));
  await Deno.writeTextFile(
    config,
    JSON.stringify(
      {
        archive_root: archiveRoot,
        targets: targets.map((t) => ({
          name: t.name,
          output_dir: outputDir(t.name),
          channel_ids: [t.channel],
          ...(t.enabled === false ? { enabled: false } : {}),
          ...(t.containerMemory ? { container_memory: t.containerMemory } : {}),
        })),
      },
      null,
      2,
    ),
  );
  const env = childEnv({
    HOME: join(dir, "home"),
    DCE_LOG_DIR: logs,
    DCE_ENV_FILE: join(dir, "scrape.env"),
    DCE_EXPORTER: "cli",
    DCE_CLI_BIN: join(FAKES, "dce-cli"),
    FAKE_DCE_WORLD: world,
    DISCORD_TOKEN: "simulated-token",
    // Partial temps in these smokes are always from a finished (killed) fake export.
    DCE_STALE_TEMP_MIN_AGE_SECONDS: "0",
  });
  const grow = async (channel: string, count: number) => {
    const data = JSON.parse(await Deno.readTextFile(world));
    for (const c of data.channels) if (c.id === channel) c.count = count;
    await Deno.writeTextFile(world, JSON.stringify(data, null, 2));
  };
  for (const t of targets) {
    if (t.seeded === undefined) continue;
    await Deno.mkdir(outputDir(t.name), { recursive: true });
    await grow(t.channel, t.seeded);
    await fakeExport(env, t.channel, archivePath(t));
    await grow(t.channel, t.count);
  }
  return {
    dir,
    archiveRoot,
    config,
    world,
    logs,
    lock: join(archiveRoot, ".dce-scrape.lock"),
    env,
    outputDir,
    archivePath,
    grow,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

export async function messageIds(path: string): Promise<string[]> {
  const data = JSON.parse(await Deno.readTextFile(path));
  return (data.messages as { id: string }[]).map((m) => m.id);
}

/** A process holding the lock until disposed: ours (with-scrape-lock -- sleep) or legacy (flock -n … sleep). */
export interface Holder extends AsyncDisposable {
  pid: number;
}

/**
 * True when the kernel lists a flock on the lock file's inode (/proc/locks). Never probes with flock itself:
 * a probe that takes the lock for an instant could make a starting `flock -n` holder give up.
 */
async function lockIsTaken(lock: string): Promise<boolean> {
  let ino: number | null;
  try {
    ino = (await Deno.stat(lock)).ino;
  } catch {
    return false;
  }
  const locks = await Deno.readTextFile("/proc/locks");
  return locks.split("\n").some((line) =>
    /\bFLOCK\b/.test(line) && new RegExp(`:${ino} `).test(line)
  );
}

/** Our own holder: with-scrape-lock --config <cfg> -- sleep 600, in its own process group. */
export async function ourHolder(box: Sandbox): Promise<Holder> {
  const child = spawnTool("with-scrape-lock", ["--config", box.config, "--", "sleep", "600"], {
    env: box.env,
    stdout: "null",
    stderr: "null",
    detached: true,
  });
  await waitFor(
    async () => {
      try {
        await Deno.stat(`${box.lock}.meta`);
        return await lockIsTaken(box.lock);
      } catch {
        return false;
      }
    },
    "with-scrape-lock to hold the lock",
    60_000,
    100,
  );
  return {
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      // SIGTERM: with-scrape-lock forwards it to its command, releases the lock and exits.
      try {
        Deno.kill(child.pid, "SIGTERM");
      } catch { /* gone */ }
      const timer = setTimeout(() => {
        try {
          Deno.kill(-child.pid, "SIGKILL");
        } catch { /* gone */ }
      }, 30_000);
      await child.status;
      clearTimeout(timer);
    },
  };
}

/** The bash suite's holder: `flock -n <lock> sleep 600`; its sleep child keeps the lock, so kill the group. */
export async function legacyHolder(lock: string): Promise<Holder> {
  const child = new Deno.Command("flock", {
    args: ["-n", lock, "sleep", "600"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
    detached: true,
  }).spawn();
  await waitFor(() => lockIsTaken(lock), "flock to hold the lock", 60_000, 100);
  return {
    pid: child.pid,
    async [Symbol.asyncDispose]() {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* gone */ }
      await child.status;
    },
  };
}
