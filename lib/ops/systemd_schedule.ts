// The timer's OnCalendar= expression: from --on-calendar, or setup-cron's --interval/--at translated
// (docs/unattended.md#schedules), or kept from the timer being replaced.
import { UsageError } from "../cli/errors.ts";
import { parseAt } from "./cron_expression.ts";

export interface ScheduleChoice {
  interval?: string | undefined;
  at?: string | undefined;
  onCalendar?: string | undefined;
  cron?: string | undefined;
}

/** OnCalendar= for an interval at HH:MM (default 04:00), the same runs setup-cron schedules. */
export function onCalendarFor(interval: string, at: string | undefined): string {
  const { hour, minute } = at === undefined ? { hour: "4", minute: "0" } : parseAt(at);
  const time = `${hour.padStart(2, "0")}:${minute.padStart(2, "0")}:00`;
  switch (interval) {
    case "monthly":
      return `*-*-01 ${time}`;
    case "weekly":
      return `Sun *-*-* ${time}`;
    case "daily":
      return `*-*-* ${time}`;
    default:
      throw new UsageError(
        `Invalid --interval '${interval}': use monthly, weekly or daily (or --on-calendar EXPR).`,
      );
  }
}

/**
 * Only what would break the unit file is refused here; systemd itself judges the expression when
 * the timer is loaded (`systemd-analyze calendar EXPR` checks one beforehand).
 */
function checkOnCalendar(expr: string): string {
  const trimmed = expr.trim();
  if (trimmed === "" || /[\n\r%\\]/.test(trimmed)) {
    throw new UsageError(
      `Invalid --on-calendar '${expr}': give a systemd calendar expression such as 'Sun *-*-* 04:00:00' (check it with 'systemd-analyze calendar').`,
    );
  }
  return trimmed;
}

/** --on-calendar, else --interval/--at, else the replaced timer's schedule, else monthly at 04:00. */
export function chooseOnCalendar(choice: ScheduleChoice, kept: string | undefined): string {
  if (choice.cron !== undefined) {
    throw new UsageError(
      "setup-systemd takes --on-calendar EXPR (systemd calendar syntax), not --cron; or --interval/--at.",
    );
  }
  if (choice.onCalendar !== undefined) {
    if (choice.interval !== undefined || choice.at !== undefined) {
      throw new UsageError("Use either --on-calendar EXPR or --interval/--at, not both.");
    }
    return checkOnCalendar(choice.onCalendar);
  }
  if (choice.interval === undefined && choice.at === undefined && kept !== undefined) return kept;
  return onCalendarFor(choice.interval ?? "monthly", choice.at);
}

/** The OnCalendar= of a timer unit's text (the first one), or undefined. */
export function onCalendarOf(timerText: string): string | undefined {
  const line = timerText.split("\n").find((l) => /^\s*OnCalendar\s*=/.test(l));
  const value = line?.slice(line.indexOf("=") + 1).trim();
  return value ? value : undefined;
}

/** RandomizedDelaySec=: seconds, or a number with s, min, h or d. */
export function checkRandomizedDelay(value: string): string {
  if (!/^\d+(s|min|h|d)?$/.test(value)) {
    throw new UsageError(
      `Invalid --randomized-delay '${value}': use seconds or a number with s, min, h or d (e.g. 30min).`,
    );
  }
  return value;
}
