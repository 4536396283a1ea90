// What the installers' --dry-run prints (setup-cron, setup-systemd): the lines of a text that would change.

/**
 * The changed region between two texts (setup-cron changes one block, so one region), with one line
 * of context either side: ` ` kept, `-` removed, `+` added. Empty when the texts are equal. Two
 * changes far apart show as one region with the lines between them: short texts, so that is fine.
 */
export function textDiff(
  before: string,
  after: string,
  labels: { before: string; after: string },
): string[] {
  if (before === after) return [];
  const a = before === "" ? [] : before.replace(/\n$/, "").split("\n");
  const b = after === "" ? [] : after.replace(/\n$/, "").split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head && tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) tail++;
  const out = [`--- ${labels.before}`, `+++ ${labels.after}`];
  if (head > 0) out.push(` ${a[head - 1]}`);
  for (const line of a.slice(head, a.length - tail)) out.push(`-${line}`);
  for (const line of b.slice(head, b.length - tail)) out.push(`+${line}`);
  if (tail > 0) out.push(` ${a[a.length - tail]}`);
  return out;
}
