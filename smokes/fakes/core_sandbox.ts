// A throw-away archive root + config + fake-CLI world for the core smokes, and helpers to run run-scrape in it.
import { join } from "node:path";
import { FAKES, runTool, type ToolRun } from "../_harness.ts";
import {
  type FakeChannel,
  type FakeMessageSpec,
  type FakeWorld,
  writeWorld,
} from "./fake_dce_world.ts";
export { exists } from "../../lib/fs/file_predicates.ts";

export const FAKE_CLI = join(FAKES, "dce-cli");

export interface Invocation {
  argv: string[];
  tokenSource: string;
  exit: number | string;
  elapsedMs: number;
}

export class CoreSandbox implements AsyncDisposable {
  readonly root: string;
  readonly archiveRoot: string;
  readonly worldPath: string;
  readonly logPath: string;
  readonly configPath: string;
  world: FakeWorld;

  private constructor(root: string, world: FakeWorld) {
    this.root = root;
    this.archiveRoot = join(root, "archive");
    this.worldPath = join(root, "world.json");
    this.logPath = join(root, "fake-dce.log");
    this.configPath = join(root, "scrape-targets.json");
    this.world = world;
  }

  static async create(world: FakeWorld, config?: object): Promise<CoreSandbox> {
    const root = await Deno.makeTempDir({ prefix: "dce-core-smoke-" });
    const box = new CoreSandbox(root, world);
    await Deno.mkdir(box.archiveRoot);
    await box.saveWorld();
    await box.writeConfig(
      config ?? {
        archive_root: box.archiveRoot,
        defaults: { include_threads: "all", include_voice_channels: false },
        targets: [{ name: "fixture", output_dir: box.out, channel_ids: ["111"] }],
      },
    );
    return box;
  }

  /** The default target's output_dir. */
  get out(): string {
    return join(this.archiveRoot, "fixture");
  }

  async writeConfig(config: object | string): Promise<void> {
    await Deno.writeTextFile(
      this.configPath,
      typeof config === "string" ? config : JSON.stringify(config, null, 2),
    );
  }

  async saveWorld(): Promise<void> {
    await writeWorld(this.worldPath, this.world);
  }

  channel(id: string): FakeChannel {
    const c = this.world.channels?.find((x) => x.id === id);
    if (!c) throw new Error(`no channel ${id} in the world`);
    return c;
  }

  async addMessages(id: string, ...messages: FakeMessageSpec[]): Promise<void> {
    const c = this.channel(id);
    c.messages = [...(c.messages ?? []), ...messages];
    await this.saveWorld();
  }

  /** The environment run-scrape gets here: the fake CLI in this world, a token, TMPDIR. */
  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      DCE_CLI_BIN: FAKE_CLI,
      FAKE_DCE_WORLD: this.worldPath,
      FAKE_DCE_LOG: this.logPath,
      DISCORD_TOKEN: "smoke-token",
      TMPDIR: this.root,
      ...extra,
    };
  }

  async run(args: string[], env: Record<string, string> = {}): Promise<ToolRun> {
    const withConfig = args.includes("--config") ? args : [...args, "--config", this.configPath];
    return await runTool("run-scrape", withConfig, { env: this.env(env) });
  }

  async invocations(): Promise<Invocation[]> {
    try {
      const text = await Deno.readTextFile(this.logPath);
      return text.trim() === "" ? [] : text.trim().split("\n").map((l) => JSON.parse(l));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return [];
      throw err;
    }
  }

  async clearInvocations(): Promise<void> {
    await Deno.writeTextFile(this.logPath, "");
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}

/** A DCE-shaped archive file like the bash suite's fixtures (docs/bash-suite.md#smokes-carried-over): guild 222, channel as given. */
export function fixtureExport(
  channelId: string,
  messages: Array<{ id: string; day?: number; content?: string; timestamp?: string }>,
  extra: { name?: string; category?: string } = {},
): string {
  return JSON.stringify(
    {
      guild: {
        id: "222",
        name: "Fixture Guild",
        iconUrl: "https://cdn.discordapp.com/embed/avatars/0.png",
      },
      channel: {
        id: channelId,
        type: "GuildTextChat",
        categoryId: "333",
        category: extra.category ?? "Testing Grounds",
        name: extra.name ?? "fixture-room",
        topic: null,
      },
      dateRange: { after: null, before: null },
      exportedAt: "2024-01-05T00:00:00+00:00",
      messages: messages.map((m) => ({
        id: m.id,
        type: "Default",
        timestamp: m.timestamp ?? `2024-01-0${m.day ?? 1}T00:00:00+00:00`,
        content: m.content ?? `message ${m.id}`,
      })),
    },
    null,
    2,
  );
}

export async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function messageIds(path: string): Promise<string[]> {
  const doc = JSON.parse(await Deno.readTextFile(path));
  return doc.messages.map((m: { id: string }) => m.id);
}

/** The standard fixture world: guild 222 "Fixture Guild", channel 111 fixture-room with messages 1, 2. */
export function fixtureWorld(): FakeWorld {
  return {
    guilds: [{ id: "222", name: "Fixture Guild" }],
    channels: [{
      id: "111",
      guildId: "222",
      name: "fixture-room",
      category: "Testing Grounds",
      categoryId: "333",
      messages: [
        { id: "1", timestamp: "2024-01-01T00:00:00+00:00", content: "first" },
        { id: "2", timestamp: "2024-01-02T00:00:00+00:00", content: "second" },
      ],
    }],
  };
}

export const DEFAULT_NAME = "Fixture Guild - Testing Grounds - fixture-room [111].json";
