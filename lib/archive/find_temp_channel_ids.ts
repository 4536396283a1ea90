// Channel ids named by export temp folders (`.dce-temp/export.<id>.XXXXXX/`), for salvage-only runs.
import { join } from "node:path";

/** Channel ids of temps left in `<dir>/.dce-temp/export.<id>.XXXXXX/` (salvage must see them too). */
export async function findTempChannelIds(dir: string): Promise<string[]> {
  const ids = new Set<string>();
  try {
    for await (const entry of Deno.readDir(join(dir, ".dce-temp"))) {
      const m = /^export\.([0-9]+)\.[^.]+$/.exec(entry.name);
      if (entry.isDirectory && m) ids.add(m[1] as string);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return [...ids];
}
