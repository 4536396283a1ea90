// The text of the three units setup-systemd installs: the scrape service, its failure service and
// the timer (docs/unattended.md#systemd).
import { join } from "node:path";
import { EXIT } from "../cli/errors.ts";
import { environmentAssignment, execLine, unitValue } from "./systemd_quote.ts";

/** The first line of every unit we write: what tells our files from an operator's own. */
export const UNIT_HEADER = "# Written by dce-ops setup-systemd; it replaces or removes this file.";
const CHECKOUT_PREFIX = "# checkout: ";

export interface UnitsRequest {
  /** Unit name without suffix: `<name>.service`, `<name>-failure.service`, `<name>.timer`. */
  name: string;
  repoRoot: string;
  configPath: string;
  /** The scheduled run's variables (scheduledRunEnv) and its command (scheduledRunArgv). */
  env: Record<string, string>;
  argv: string[];
  onCalendar: string;
  randomizedDelay?: string | undefined;
  /** User= for a system unit. */
  runAs?: string | undefined;
}

export interface UnitFile {
  /** File name inside the unit folder. */
  file: string;
  text: string;
}

export function unitFileNames(name: string) {
  return {
    service: `${name}.service`,
    failure: `${name}-failure.service`,
    timer: `${name}.timer`,
  };
}

function header(req: UnitsRequest): string[] {
  return [UNIT_HEADER, `${CHECKOUT_PREFIX}${req.repoRoot}`, `# config: ${req.configPath}`];
}

/** The checkout a unit of ours was written from (its header), or undefined for a foreign file. */
export function checkoutOf(text: string): string | undefined {
  const [first, second] = text.split("\n");
  if (first !== UNIT_HEADER) return undefined;
  return second?.startsWith(CHECKOUT_PREFIX) ? second.slice(CHECKOUT_PREFIX.length) : "";
}

function serviceBody(req: UnitsRequest, env: Record<string, string>, argv: string[]): string[] {
  return [
    "[Service]",
    "Type=oneshot",
    ...(req.runAs === undefined ? [] : [`User=${unitValue(req.runAs, "--run-as")}`]),
    `WorkingDirectory=${unitValue(req.repoRoot, "the checkout path")}`,
    ...Object.entries(env).map(([k, v]) => `Environment=${environmentAssignment(k, v)}`),
    `ExecStart=${execLine(argv)}`,
  ];
}

function text(lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

/**
 * The scrape service runs with DCE_FAILURE_HOOK=none and OnFailure= starts the failure service
 * instead: systemd starts it for a failed run and also for a run it killed (timeout, stop), which
 * the in-run hook would miss, and each failure is reported once. Exit 75 (busy) is a success.
 */
export function buildUnits(req: UnitsRequest): UnitFile[] {
  const names = unitFileNames(req.name);
  const config = unitValue(req.configPath, "the config path");
  const service = text([
    ...header(req),
    "[Unit]",
    `Description=dce-ops documents scrape (${config})`,
    `OnFailure=${names.failure}`,
    "",
    ...serviceBody(req, { ...req.env, DCE_FAILURE_HOOK: "none" }, req.argv),
    `SuccessExitStatus=${EXIT.tempfail}`,
  ]);
  const failure = text([
    ...header(req),
    "[Unit]",
    `Description=dce-ops failure hook for ${names.service}`,
    "",
    ...serviceBody(req, req.env, [
      join(req.repoRoot, "dce"),
      "run-failure-hook",
      "--config",
      req.configPath,
    ]),
  ]);
  const timer = text([
    ...header(req),
    "[Unit]",
    `Description=dce-ops documents scrape schedule (${config})`,
    "",
    "[Timer]",
    `OnCalendar=${req.onCalendar}`,
    // A run missed while the machine was off happens at the next boot.
    "Persistent=true",
    ...(req.randomizedDelay === undefined ? [] : [`RandomizedDelaySec=${req.randomizedDelay}`]),
    `Unit=${names.service}`,
    "",
    "[Install]",
    "WantedBy=timers.target",
  ]);
  return [
    { file: names.service, text: service },
    { file: names.failure, text: failure },
    { file: names.timer, text: timer },
  ];
}
