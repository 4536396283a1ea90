// Fail-closed check that a merge output contains every message id of the existing archive.
// It watches the archive's ids (ascending) and the ids actually written (strictly ascending), and
// throws the moment an archive id is passed over without being written.
import { ArchiveError } from "./archive_error.ts";
import { compareIds } from "./snowflake.ts";

export class IdSetGuard {
  private readonly archivePath: string;
  private pending: string[] = [];
  private head = 0;
  private lastArchive: string | null = null;
  private lastWritten: string | null = null;
  /** Distinct archive ids verified present in the output. */
  verified = 0;

  constructor(archivePath: string) {
    this.archivePath = archivePath;
  }

  /** An id of the existing archive, in ascending order (equal repeats are one id). */
  archiveId(id: string): void {
    if (this.lastArchive !== null) {
      const c = compareIds(id, this.lastArchive);
      if (c === 0) return;
      if (c < 0) this.fail(`archive ids were fed out of order (${id} after ${this.lastArchive})`);
    }
    this.lastArchive = id;
    this.pending.push(id);
  }

  /** An id just written to the output. */
  written(id: string): void {
    if (this.lastWritten !== null && compareIds(id, this.lastWritten) <= 0) {
      this.fail(`output ids are not strictly ascending (${id} after ${this.lastWritten})`);
    }
    this.lastWritten = id;
    while (this.head < this.pending.length) {
      const c = compareIds(this.pending[this.head]!, id);
      if (c > 0) break;
      if (c < 0) this.fail(`archive message ${this.pending[this.head]} is missing from the result`);
      this.head++;
      this.verified++;
    }
    if (this.head > 1024) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  }

  /** Call after the last write: every archive id must have been written. */
  finish(): void {
    if (this.head < this.pending.length) {
      this.fail(`archive message ${this.pending[this.head]} is missing from the result`);
    }
  }

  private fail(reason: string): never {
    throw new ArchiveError(
      "guard",
      `Refusing to replace archive '${this.archivePath}': ${reason}. Existing file was not modified.`,
    );
  }
}
