// The `--after` cursor over an archive's message ids: the numeric maximum of the ids that are
// valid snowflakes. An id that is not one (hostile or corrupt) must not become the cursor: one
// beyond every real id would hide all new messages for ever, a malformed one breaks every export.
import { compareIds, quoteId, snowflakeProblem } from "./snowflake.ts";

export interface IgnoredIds {
  /** The first id that was not a valid snowflake, and why. */
  id: string;
  problem: string;
  count: number;
}

export class CursorTracker {
  maxId: string | null = null;
  ignored: IgnoredIds | null = null;

  constructor(private readonly now: Date) {}

  offer(id: string): void {
    const problem = snowflakeProblem(id, this.now);
    if (problem !== null) {
      if (this.ignored === null) this.ignored = { id, problem, count: 1 };
      else this.ignored.count++;
      return;
    }
    if (this.maxId === null || compareIds(id, this.maxId) > 0) this.maxId = id;
  }
}

/** The one line that reports ids the cursor ignored, naming the archive and the first such id. */
export function ignoredIdsWarning(archivePath: string, ignored: IgnoredIds): string {
  const more = ignored.count > 1 ? ` (and ${ignored.count - 1} more such ids)` : "";
  return `WARN: archive ${JSON.stringify(archivePath)} holds message id ${
    quoteId(ignored.id)
  } that is not a valid Discord snowflake (${ignored.problem})${more}; the cursor ignores it, so the export resumes after the largest valid id.`;
}
