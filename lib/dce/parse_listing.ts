// Parses the `guilds`, `channels` and `dm` listings (docs/dce-cli.md#listings): `<id padded> | <name>`, threads ` * …`.

export interface ListingEntry {
  id: string;
  /** The name after the first ` | ` (hierarchical for channels; `Thread / x` for threads). */
  name: string;
  isThread: boolean;
  /** For thread lines: the text after the last ` | ` (`Active` / `Archived`). */
  threadStatus?: string;
}

const ID = /^[0-9]+$/;

/**
 * One entry per record line. Names may contain ` | ` or ` / `, so split on the FIRST separator
 * (the id column never contains it); thread status is the part after the LAST one. Lines that
 * are not records (blank, banners, notes) are skipped.
 */
export function parseListing(text: string): ListingEntry[] {
  const entries: ListingEntry[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine;
    let isThread = false;
    if (line.startsWith(" * ")) {
      isThread = true;
      line = line.slice(3);
    }
    const sep = line.indexOf(" | ");
    if (sep < 0) continue;
    const id = line.slice(0, sep).trim();
    if (!ID.test(id)) continue;
    let name = line.slice(sep + 3);
    const entry: ListingEntry = { id, name, isThread };
    if (isThread) {
      const last = name.lastIndexOf(" | ");
      if (last >= 0) {
        entry.threadStatus = name.slice(last + 3).trim();
        name = name.slice(0, last);
        entry.name = name;
      }
    }
    entries.push(entry);
  }
  return entries;
}
