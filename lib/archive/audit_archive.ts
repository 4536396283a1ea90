// Streaming audit of one archive file: valid DCE JSON, ids ascending, no repeated ids, declared count.
import { ArchiveError } from "./archive_error.ts";
import { ExportReader } from "./export_reader.ts";
import { compareIds } from "./snowflake.ts";
import { journalPath } from "./archive_journal.ts";

export interface AuditFinding {
  ok: boolean;
  /** "invalid" | "not-dce" when !ok or foreign; otherwise "valid". */
  status: "valid" | "invalid" | "not-dce";
  reason?: string;
  messages: number;
  /** Positions where an id was smaller than the one before it. */
  outOfOrder: number;
  /** Ids equal to the id right before them (exact for ascending files). */
  duplicates: number;
  /** messageCount the file declares, when it declares one. */
  declaredCount?: number;
}

export async function auditArchive(path: string): Promise<AuditFinding> {
  const finding: AuditFinding = {
    ok: true,
    status: "valid",
    messages: 0,
    outOfOrder: 0,
    duplicates: 0,
  };
  // The audit takes no lock, so it must not roll back itself: the append may still be running.
  if (await Deno.lstat(journalPath(path)).then(() => true, () => false)) {
    return {
      ...finding,
      ok: false,
      status: "invalid",
      reason: `An in-place append to it was interrupted or is running (journal '${
        journalPath(path)
      }'); the next scrape or merge-export of this archive rolls it back under the lock.`,
    };
  }
  try {
    using reader = await ExportReader.open(path);
    let last: string | null = null;
    for (let m = await reader.next(); m !== null; m = await reader.next()) {
      if (last !== null) {
        const c = compareIds(m.id, last);
        if (c === 0) finding.duplicates++;
        else if (c < 0) finding.outOfOrder++;
      }
      last = m.id;
    }
    await reader.readToEnd();
    finding.messages = reader.count;
    const declared = reader.fields.get("messageCount")?.value;
    if (typeof declared === "number") finding.declaredCount = declared;
  } catch (err) {
    if (!(err instanceof ArchiveError)) throw err;
    finding.ok = false;
    finding.status = err.kind === "not-dce-export" ? "not-dce" : "invalid";
    finding.reason = err.message;
  }
  return finding;
}
