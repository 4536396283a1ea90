// A new archive's file name from its guild, category and channel names (docs/archive.md#file-names).

/** The naming of docs/archive.md#file-names: CR/LF and control chars → space, runs of / or \ → _, whitespace collapsed, trimmed. */
export function sanitizeNamePart(part: string | null | undefined): string {
  return (part ?? "")
    .replace(/[\r\n]/g, " ")
    .replace(/[/\\]+/g, "_")
    // deno-lint-ignore no-control-regex
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** `<Guild> - <Category> - <Channel> [<id>].json`, kept under the 255-byte file-name limit. */
export function archiveFileName(
  guild: string | null | undefined,
  category: string | null | undefined,
  channel: string | null | undefined,
  channelId: string,
): string {
  const suffix = ` [${channelId}].json`;
  let base = [guild, category, channel].map(sanitizeNamePart).filter((p) => p !== "").join(" - ");
  if (base === "") base = "channel";
  const encoder = new TextEncoder();
  while (encoder.encode(base + suffix).length > 255) {
    base = [...base].slice(0, -1).join("").trimEnd();
  }
  return base + suffix;
}
