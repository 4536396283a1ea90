// Whole-file questions answered in one streaming pass: the cursor (maximum id) and the message count.
import { compareIds } from "./snowflake.ts";
import { ExportReader } from "./export_reader.ts";

/**
 * The largest message id compared numerically (the `--after` cursor), or null when there are none.
 * Not the last element: an archive may be out of order (docs/archive.md#the-cursor). Validates the whole file.
 */
export async function maxMessageId(path: string): Promise<string | null> {
  using reader = await ExportReader.open(path);
  let max: string | null = null;
  for (let m = await reader.next(); m !== null; m = await reader.next()) {
    if (max === null || compareIds(m.id, max) > 0) max = m.id;
  }
  await reader.readToEnd();
  return max;
}

/** Number of message objects in the file (validates the whole file). */
export async function countMessages(path: string): Promise<number> {
  using reader = await ExportReader.open(path);
  await reader.readToEnd();
  return reader.count;
}
