// Quiet mode's report: a successful run prints nothing; a failed or partial one prints these few lines.
import { EXIT } from "./errors.ts";
/** Lines worth a mail: errors, failed channels, channels that make the run partial. */
const WORTHY = /\b(ERROR|FAILED|PARTIAL):/;
const STAMP = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] /;
/** A digest stays a few lines even when a thousand channels fail. */
const MAX_LINES = 8;

export interface DigestEnd {
  tool: string;
  exitCode: number;
  logFile?: string | undefined;
  summaryFile?: string | undefined;
}

/** The exit-code table's word for a code. */
function outcomeOf(code: number): string {
  if (code === EXIT.ok) return "ok";
  if (code === EXIT.partial) return "partial";
  return code > 128 ? "interrupted" : "failed";
}

export class RunDigest {
  #lines: string[] = [];
  #more = 0;

  /** Every line the run writes (its own and its children's) goes through here. */
  note(raw: string): void {
    if (!WORTHY.test(raw)) return;
    const line = raw.replace(STAMP, "").trim();
    if (this.#lines.includes(line)) return;
    if (this.#lines.length < MAX_LINES) this.#lines.push(line);
    else this.#more++;
  }

  /** The digest, one line per element. */
  lines(end: DigestEnd): string[] {
    const out = [`${end.tool}: ${outcomeOf(end.exitCode)} (exit ${end.exitCode})`];
    for (const line of this.#lines) out.push(`  ${line}`);
    if (this.#more > 0) out.push(`  … and ${this.#more} more such line(s) in the log`);
    if (this.#lines.length === 0) out.push("  (no ERROR/FAILED/PARTIAL line; see the log)");
    out.push(
      `Log: ${end.logFile ?? "none (this tool keeps none; run-documents-scrape --log-file does)"}`,
    );
    if (end.summaryFile !== undefined) out.push(`Summary: ${end.summaryFile}`);
    return out;
  }
}
