// Edits one marked block (`# BEGIN <job>` … `# END <job>`) inside a crontab's text and leaves every other
// line exactly as it was.
import { UsageError, UserError } from "../cli/errors.ts";

export const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function markers(job: string): { begin: string; end: string } {
  if (!JOB_NAME.test(job)) {
    throw new UsageError(
      `Invalid job name '${job}': use letters, digits, '.', '_' and '-' (starting with a letter or digit).`,
    );
  }
  return { begin: `# BEGIN ${job}`, end: `# END ${job}` };
}

interface Span {
  start: number;
  end: number;
}

/** Finds every complete block; a BEGIN without its END (or the reverse) is refused, never guessed at. */
function findBlocks(lines: string[], job: string): Span[] {
  const { begin, end } = markers(job);
  const spans: Span[] = [];
  let open = -1;
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    if (line === begin) {
      if (open >= 0) {
        throw new UserError(
          `The crontab has '${begin}' twice without '${end}' between them (lines ${open + 1} and ${
            i + 1
          }); fix it with 'crontab -e' first.`,
        );
      }
      open = i;
    } else if (line === end) {
      if (open < 0) {
        throw new UserError(
          `The crontab has '${end}' on line ${
            i + 1
          } without a '${begin}' before it; fix it with 'crontab -e' first.`,
        );
      }
      spans.push({ start: open, end: i });
      open = -1;
    }
  });
  if (open >= 0) {
    throw new UserError(
      `The crontab has '${begin}' on line ${
        open + 1
      } but no '${end}'; fix it with 'crontab -e' first.`,
    );
  }
  return spans;
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** The body lines of the job's block (without markers), or undefined when there is none. */
export function readBlock(text: string, job: string): string[] | undefined {
  const lines = splitLines(text);
  const first = findBlocks(lines, job)[0];
  return first ? lines.slice(first.start + 1, first.end) : undefined;
}

/** Removes every block for the job; returns the new text and how many blocks were removed. */
export function removeBlock(text: string, job: string): { text: string; removed: number } {
  const lines = splitLines(text);
  const spans = findBlocks(lines, job);
  if (spans.length === 0) return { text, removed: 0 };
  const keep = lines.filter((_, i) => !spans.some((s) => i >= s.start && i <= s.end));
  return { text: joinLines(keep), removed: spans.length };
}

/**
 * Puts the block in place of the existing one (same position; later duplicates dropped), or appends it.
 * Installing the same body twice yields the same text.
 */
export function installBlock(text: string, job: string, body: string[]): string {
  const { begin, end } = markers(job);
  for (const line of body) {
    if (line.includes("\n") || line.trimEnd() === begin || line.trimEnd() === end) {
      throw new UserError(`Refusing to install a crontab line that would break the block: ${line}`);
    }
  }
  const block = [begin, ...body, end];
  const lines = splitLines(text);
  const spans = findBlocks(lines, job);
  const first = spans[0];
  if (!first) return joinLines([...lines, ...block]);
  const out: string[] = [];
  lines.forEach((line, i) => {
    if (i === first.start) out.push(...block);
    if (spans.some((s) => i >= s.start && i <= s.end)) return;
    out.push(line);
  });
  return joinLines(out);
}
