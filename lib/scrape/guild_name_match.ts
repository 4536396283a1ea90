// guild_name_patterns matching (docs/config.md#guild-name-patterns): both sides lowercased to letters and digits; equal, or one contains the other.

export function normaliseGuildName(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
}

export function guildNameMatches(pattern: string, guildName: string): boolean {
  const p = normaliseGuildName(pattern);
  const g = normaliseGuildName(guildName);
  if (p === "" || g === "") return false;
  return p === g || g.includes(p) || p.includes(g);
}
