// Validates a crontab schedule (five fields or an @macro) before it is installed, so a typo fails loudly here
// rather than being silently ignored by cron.
import { UsageError } from "../cli/errors.ts";

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS },
  // 7 is Sunday as well as 0 in every cron we target (cronie, vixie, busybox).
  { name: "day of week", min: 0, max: 7, names: DAYS },
];

/** Macros cron itself understands; @reboot is left out because a scrape at boot is not a schedule. */
export const CRON_MACROS = [
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@midnight",
  "@hourly",
] as const;

function parseValue(text: string, field: FieldSpec, expr: string): number {
  let value: number;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else {
    const index = field.names?.indexOf(text.toLowerCase()) ?? -1;
    if (index < 0) {
      throw new UsageError(
        `Invalid --cron '${expr}': '${text}' is not a valid ${field.name} value.`,
      );
    }
    // Month names count from 1, day names from 0 (Sunday).
    value = field.names === MONTHS ? index + 1 : index;
  }
  if (value < field.min || value > field.max) {
    throw new UsageError(
      `Invalid --cron '${expr}': ${field.name} ${text} is outside ${field.min}-${field.max}.`,
    );
  }
  return value;
}

function checkItem(item: string, field: FieldSpec, expr: string): void {
  const [base = "", step, extra] = item.split("/");
  if (extra !== undefined || base === "") {
    throw new UsageError(`Invalid --cron '${expr}': '${item}' is not a valid ${field.name} item.`);
  }
  let low = field.min;
  let high = field.max;
  if (base !== "*") {
    const [from = "", to, more] = base.split("-");
    if (more !== undefined || from === "" || to === "") {
      throw new UsageError(
        `Invalid --cron '${expr}': '${item}' is not a valid ${field.name} range.`,
      );
    }
    low = parseValue(from, field, expr);
    high = to === undefined ? low : parseValue(to, field, expr);
    if (low > high) {
      throw new UsageError(
        `Invalid --cron '${expr}': ${field.name} range '${base}' runs backwards.`,
      );
    }
    if (step !== undefined && to === undefined) {
      // "5/10" means different things in different crons; ask for the explicit form.
      throw new UsageError(
        `Invalid --cron '${expr}': write '${from}-${field.max}/${step}' instead of '${item}'.`,
      );
    }
  }
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) < 1 || Number(step) > field.max - field.min + 1) {
      throw new UsageError(
        `Invalid --cron '${expr}': step '${step}' in ${field.name} must be 1-${
          field.max - field.min + 1
        }.`,
      );
    }
    if (high === low && base !== "*") {
      throw new UsageError(
        `Invalid --cron '${expr}': step '${step}' needs a range in ${field.name}.`,
      );
    }
  }
}

/**
 * Returns the schedule normalised to single spaces, or throws a UsageError naming the bad field.
 * Accepts five fields with numbers, names (jan-dec, sun-sat), ranges, lists and steps, or one macro.
 */
export function validateCronExpression(expr: string): string {
  const trimmed = expr.trim();
  if (trimmed.startsWith("@")) {
    if ((CRON_MACROS as readonly string[]).includes(trimmed.toLowerCase())) {
      return trimmed.toLowerCase();
    }
    throw new UsageError(
      `Invalid --cron '${expr}': unknown macro; use five fields or one of ${
        CRON_MACROS.join(", ")
      }.`,
    );
  }
  if (/[\n\r%]/.test(trimmed)) {
    throw new UsageError(`Invalid --cron '${expr}': newlines and '%' are not allowed.`);
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5 || trimmed === "") {
    throw new UsageError(
      `Invalid --cron '${expr}': expected 5 fields (minute hour day-of-month month day-of-week), got ${
        trimmed === "" ? 0 : fields.length
      }.`,
    );
  }
  fields.forEach((text, i) => {
    const field = FIELDS[i]!;
    for (const item of text.split(",")) checkItem(item, field, expr);
  });
  return fields.join(" ");
}

/**
 * The schedule for --interval/--at: monthly on the 1st, weekly on Sunday, or daily, at HH:MM. The
 * hour is written as typed (`03:15` → `15 03`), as the bash installer did: text checks of crontabs
 * look for that form. Without --at the default is `0 4`.
 */
export function scheduleFor(interval: string, at: string | undefined): string {
  const time = at === undefined ? { minute: "0", hour: "4" } : parseAt(at);
  switch (interval) {
    case "monthly":
      return `${time.minute} ${time.hour} 1 * *`;
    case "weekly":
      return `${time.minute} ${time.hour} * * 0`;
    case "daily":
      return `${time.minute} ${time.hour} * * *`;
    default:
      throw new UsageError(
        `Invalid --interval '${interval}': use monthly, weekly or daily (or --cron EXPR).`,
      );
  }
}

export function parseAt(at: string): { minute: string; hour: string } {
  const match = /^(\d{1,2}):(\d{2})$/.exec(at);
  const hour = match ? Number(match[1]) : NaN;
  const minute = match ? Number(match[2]) : NaN;
  if (!match || hour > 23 || minute > 59) {
    throw new UsageError(`Invalid --at '${at}': use HH:MM in 24-hour time, e.g. 04:00.`);
  }
  return { minute: String(minute), hour: match[1] as string };
}

/**
 * The schedule of an installed block (ours or the older suite's): its first entry line's five
 * fields or @macro; undefined when there is none or it is not one we would accept.
 */
export function scheduleOfBlock(body: readonly string[]): string | undefined {
  for (const line of body) {
    const text = line.trim();
    // Blank lines, comments and VAR=value settings are not entries.
    if (text === "" || text.startsWith("#") || /^[A-Za-z_][A-Za-z0-9_]*\s*=/.test(text)) continue;
    const expr = text.startsWith("@")
      ? text.split(/\s+/)[0]!
      : text.split(/\s+/).slice(0, 5).join(" ");
    try {
      return validateCronExpression(expr);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
