// The header of a DCE export (guild, channel, dateRange, exportedAt) read without touching its messages.
import { ArchiveError } from "./archive_error.ts";
import { ExportReader, type RawField } from "./export_reader.ts";

export interface GuildInfo {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface ChannelInfo {
  id: string;
  name?: string;
  category?: string | null;
  [key: string]: unknown;
}

export interface DateRange {
  after: string | null;
  before: string | null;
}

export interface ExportHeader {
  guild: GuildInfo;
  channel: ChannelInfo;
  dateRange: DateRange | null;
  exportedAt: string | null;
  /** The count the file declares after its array (from its last bytes; not verified). */
  messageCount?: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Validates the DCE header fields; throws "not a DCE export" naming what is missing. */
export function headerFromFields(path: string, fields: Map<string, RawField>): ExportHeader {
  const guild = fields.get("guild")?.value;
  const channel = fields.get("channel")?.value;
  if (!isObject(channel)) {
    throw new ArchiveError(
      "not-dce-export",
      `'${path}' is not a DCE JSON export: it has no "channel" object.`,
    );
  }
  if (typeof channel.id !== "string" || channel.id === "") {
    throw new ArchiveError(
      "not-dce-export",
      `Export '${path}' is missing channel.id metadata.`,
    );
  }
  if (!isObject(guild) || typeof guild.id !== "string") {
    throw new ArchiveError(
      "not-dce-export",
      `'${path}' is not a DCE JSON export: it has no "guild" object with an id.`,
    );
  }
  const dr = fields.get("dateRange")?.value;
  const exportedAt = fields.get("exportedAt")?.value;
  const header: ExportHeader = {
    guild: { ...guild, id: guild.id, name: typeof guild.name === "string" ? guild.name : "" },
    channel: { ...channel, id: channel.id },
    dateRange: isObject(dr)
      ? {
        after: typeof dr.after === "string" ? dr.after : null,
        before: typeof dr.before === "string" ? dr.before : null,
      }
      : null,
    exportedAt: typeof exportedAt === "string" ? exportedAt : null,
  };
  const count = fields.get("messageCount")?.value;
  if (typeof count === "number") header.messageCount = count;
  return header;
}

/** `<guild name> [<guild id>]`, the label the summaries print. */
export function guildLabel(header: Pick<ExportHeader, "guild">): string {
  return header.guild.name || header.guild.id
    ? `${header.guild.name} [${header.guild.id}]`
    : "unknown guild";
}

/** The declared messageCount when the file ends like a complete DCE export (`"messageCount": N }`). */
async function declaredCount(path: string): Promise<number | undefined> {
  using file = await Deno.open(path, { read: true });
  const size = (await file.stat()).size;
  const n = Math.min(size, 96);
  await file.seek(size - n, Deno.SeekMode.Start);
  const buf = new Uint8Array(n);
  let off = 0;
  while (off < n) {
    const r = await file.read(buf.subarray(off));
    if (r === null) break;
    off += r;
  }
  const tail = new TextDecoder().decode(buf.subarray(0, off));
  const m = /[\],]\s*"messageCount"\s*:\s*([0-9]{1,15})\s*}\s*$/.exec(tail);
  return m ? Number(m[1]) : undefined;
}

/**
 * Reads the header of a DCE export, stopping at `"messages": [` (streams; the array is not read).
 * Throws ArchiveError for a missing, unreadable, empty, non-JSON or non-DCE file.
 */
export async function readExportHeader(path: string): Promise<ExportHeader> {
  using reader = await ExportReader.open(path);
  await reader.readHeader();
  if (reader.messagesOffset < 0) {
    // The document ended without a messages array: the scanner already threw, or it is not DCE.
    throw new ArchiveError("not-dce-export", `'${path}' is not a DCE JSON export: no "messages".`);
  }
  if (!reader.fields.has("channel")) await reader.readToEnd(); // a reordered file: header after messages
  const header = headerFromFields(path, reader.fields);
  if (header.messageCount === undefined) {
    const declared = await declaredCount(path);
    if (declared !== undefined) header.messageCount = declared;
  }
  return header;
}
