// The fake DCE CLI's "Discord": guilds, channels and deterministic synthetic histories, read from a JSON world file.
import type { JsonValue } from "./fake_dce_json.ts";
import { formatTimestamp, msToSnowflake, snowflakeToMs } from "./fake_dce_json.ts";

export interface FakeGuild {
  id: string;
  name: string;
  /** The guild's channel listing fails with 403. */
  forbidden?: boolean;
}

/** A channel the fake serves. Messages come from `messages` when given, else `count` generated ones. */
export interface FakeChannel {
  id: string;
  /** "0" for DMs. */
  guildId: string;
  name: string;
  /** Channel-kind name, default GuildTextChat (DirectTextChat for DMs, GuildPublicThread for threads). */
  type?: string;
  categoryId?: string | null;
  category?: string | null;
  topic?: string | null;
  /** Set on threads: the id of the channel the thread belongs to. */
  parentId?: string;
  archived?: boolean;
  /** Number of generated messages (ids ascend with the index; raising it appends newer messages). */
  count?: number;
  /** Explicit messages instead of generated ones. */
  messages?: FakeMessageSpec[];
  /** Content length of generated messages (default ~100 characters). */
  contentBytes?: number;
  /** true: 403 on the channel's messages (per-channel error); "resolve": 403 when resolving it. */
  forbidden?: boolean | "resolve";
  /** 404 when resolving the channel (as for an unknown id). */
  notFound?: boolean;
  /** Write this many complete messages, half of the next one, then SIGKILL itself. */
  killAfter?: number;
  /** Write `messages` complete messages, print `text` to stderr, exit with `code` (e.g. 134). */
  crashAfter?: { messages: number; code: number; text?: string };
  /** Write this many messages, then fail like .NET on a full disk (IOException, exit 1). */
  enospcAfter?: number;
  /**
   * Fail the first `times` exports of this channel, then behave: `network` (DNS failure after DCE's
   * retries), `server-error` (503 after retries), `timeout` (HttpClient timeout), all ERROR dumps
   * with exit 1 (docs/dce-cli.md#network-errors-and-retries); `killed`: one message, half of the next, then SIGKILL (exit 137).
   * Attempts are counted in `<world file>.attempts-<channel id>`.
   */
  flaky?: { times: number; mode: "network" | "server-error" | "timeout" | "killed" };
  /** Sleep this long before each message (a slow, rate-limited export). */
  delayMs?: number;
  /** Write this id as channel.id in the export (a CLI that answers with the wrong channel). */
  exportAs?: string;
}

export interface FakeMessageSpec {
  id: string;
  timestamp?: string;
  content?: string;
}

export interface FakeWorld {
  /** DCE release to imitate ("2.47" default); below 2.45 an empty range is an error without a file. */
  version?: string;
  /** The token that is accepted; absent = any non-empty token. */
  token?: string;
  /** Reject every token ("Authentication token is invalid."). */
  rejectToken?: boolean;
  guilds?: FakeGuild[];
  channels?: FakeChannel[];
  /** `guilds` listing fails (403), as for a token that cannot list guilds. */
  failGuilds?: boolean;
  /** `dm` listing fails (403), as for a bot token. */
  failDm?: boolean;
  /** Delay before each message for every channel. */
  delayMs?: number;
}

export async function readWorld(path: string): Promise<FakeWorld> {
  return JSON.parse(await Deno.readTextFile(path)) as FakeWorld;
}

export async function writeWorld(path: string, world: FakeWorld): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(world, null, 2));
  await Deno.rename(tmp, path);
}

export const DM_GUILD = { id: "0", name: "Direct Messages" } as const;

export function guildOf(world: FakeWorld, channel: FakeChannel): FakeGuild {
  if (channel.guildId === "0") return { ...DM_GUILD };
  return world.guilds?.find((g) => g.id === channel.guildId) ??
    { id: channel.guildId, name: `Guild ${channel.guildId}` };
}

export function channelType(channel: FakeChannel): string {
  if (channel.type) return channel.type;
  if (channel.parentId) return "GuildPublicThread";
  return channel.guildId === "0" ? "DirectTextChat" : "GuildTextChat";
}

export function parentOf(
  world: FakeWorld,
  channel: FakeChannel,
): { id: string | null; name: string | null } {
  if (channel.parentId) {
    const parent = world.channels?.find((c) => c.id === channel.parentId);
    return { id: channel.parentId, name: parent?.name ?? null };
  }
  return { id: channel.categoryId ?? null, name: channel.category ?? null };
}

/** `Category / name`, or for a thread `<parent's hierarchical name> / thread`. */
export function hierarchicalName(world: FakeWorld, channel: FakeChannel): string {
  if (channel.parentId) {
    const parent = world.channels?.find((c) => c.id === channel.parentId);
    return parent ? `${hierarchicalName(world, parent)} / ${channel.name}` : channel.name;
  }
  return channel.category ? `${channel.category} / ${channel.name}` : channel.name;
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const START_MS = Date.UTC(2024, 0, 1);
const STEP_MS = 37_000;

/** Generated message i (1-based) of a channel: its time, hence its id, grows with i. */
function generatedMs(channelId: string, index: number): number {
  return START_MS + (hash(channelId) % 86_400_000) + index * STEP_MS + ((index * 7919) % 1000);
}

function generatedId(channelId: string, index: number): bigint {
  return msToSnowflake(generatedMs(channelId, index)) |
    BigInt(hash(`${channelId}:${index}`) & 0x3fffff);
}

/** The ids of a channel's messages in ascending order (cheap: no message bodies). */
export function messageIds(channel: FakeChannel): bigint[] {
  if (channel.messages) {
    return channel.messages.map((m) => BigInt(m.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const ids: bigint[] = [];
  for (let i = 1; i <= (channel.count ?? 0); i++) ids.push(generatedId(channel.id, i));
  return ids;
}

const USERS = [
  {
    id: "412345678901234567",
    name: "alice_w",
    nickname: "Alice",
    role: "Moderators",
    color: "#3498DB",
  },
  { id: "498765432109876543", name: "bob.k", nickname: "Bob", role: null, color: null },
  { id: "587654321098765432", name: "carol", nickname: "Carol", role: "Helpers", color: "#2ECC71" },
  { id: "601234567890123456", name: "dave_ops", nickname: "Dave", role: null, color: null },
];

function user(index: number, dm: boolean, withRoles: boolean): { [key: string]: JsonValue } {
  const u = USERS[index % USERS.length] as (typeof USERS)[number];
  const out: { [key: string]: JsonValue } = {
    id: u.id,
    name: u.name,
    discriminator: "0000",
    nickname: u.nickname,
    color: dm ? null : u.color,
    isBot: false,
  };
  if (withRoles) {
    out.roles = !dm && u.role
      ? [{ id: "823456789012345678", name: u.role, color: u.color, position: 7 }]
      : [];
  }
  out.avatarUrl = `https://cdn.discordapp.com/embed/avatars/${index % 5}.png`;
  return out;
}

const WORDS = [
  "deploy",
  "staging",
  "is",
  "green",
  "please",
  "re-run",
  "the",
  "smoke",
  "tests",
  "before",
  "5pm",
  '"quoted"',
  "back\\slash",
  "ünïcødé",
  "<tag>",
  "&",
];

function content(index: number, length: number): string {
  let text = `message ${index}:`;
  let w = index;
  while (text.length < length) {
    text += ` ${WORDS[w % WORDS.length]}`;
    w = (w * 31 + 7) % 1009;
  }
  if (index % 7 === 0) text += " \u{1F680}"; // an emoji: written as an escaped surrogate pair
  if (index % 13 === 0) text += "\nsecond line\ttabbed";
  return text;
}

const ROCKET = {
  id: "",
  name: "\u{1F680}",
  code: "rocket",
  isAnimated: false,
  imageUrl: "https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/1f680.svg",
};

/** One message object with DCE's key order. */
export function buildMessage(
  channel: FakeChannel,
  guildId: string,
  id: bigint,
  index: number,
  previousId: bigint | null,
  spec?: FakeMessageSpec,
): { [key: string]: JsonValue } {
  const dm = guildId === "0";
  const ms = spec?.timestamp ? Date.parse(spec.timestamp) : snowflakeToMs(id);
  const isReply = !spec && previousId !== null && index % 5 === 0;
  const text = spec?.content ?? content(index, channel.contentBytes ?? 100);
  const message: { [key: string]: JsonValue } = {
    id: String(id),
    type: isReply ? "Reply" : "Default",
    timestamp: spec?.timestamp ?? formatTimestamp(ms),
    timestampEdited: !spec && index % 9 === 0 ? formatTimestamp(ms + 61_070) : null,
    callEndedTimestamp: null,
    isPinned: !spec && index % 50 === 0,
    content: text,
    author: user(index, dm, true),
    attachments: [],
    embeds: [],
    stickers: [],
    reactions: !spec && index % 11 === 0
      ? [{ emoji: { ...ROCKET }, count: 1, users: [user(index + 1, dm, false)] }]
      : [],
    mentions: [],
  };
  if (isReply) {
    message.reference = {
      type: "Default",
      messageId: String(previousId),
      channelId: channel.id,
      guildId: dm ? null : guildId,
    };
  }
  message.inlineEmojis = text.includes("\u{1F680}") ? [{ ...ROCKET }] : [];
  return message;
}

/**
 * Messages of a channel with ids in (after, before), ascending, built lazily so a 200k-message
 * channel never sits in memory.
 */
export function* messagesInRange(
  channel: FakeChannel,
  guildId: string,
  after: bigint | null,
  before: bigint | null,
): Generator<{ [key: string]: JsonValue }> {
  if (channel.messages) {
    const specs = [...channel.messages].sort((a, b) => {
      const x = BigInt(a.id), y = BigInt(b.id);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    let previous: bigint | null = null;
    for (let i = 0; i < specs.length; i++) {
      const spec = specs[i] as FakeMessageSpec;
      const id = BigInt(spec.id);
      if ((after === null || id > after) && (before === null || id < before)) {
        yield buildMessage(channel, guildId, id, i + 1, previous, spec);
      }
      previous = id;
    }
    return;
  }
  let previous: bigint | null = null;
  for (let i = 1; i <= (channel.count ?? 0); i++) {
    const id = generatedId(channel.id, i);
    if ((after === null || id > after) && (before === null || id < before)) {
      yield buildMessage(channel, guildId, id, i, previous);
    }
    previous = id;
  }
}
