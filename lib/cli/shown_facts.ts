// Each fact once: a workflow that already printed the plan, the disk line or the archive table tells
// the tools it runs (DCE_SHOWN=plan,disk,archives), and they check the same things without printing
// them again. Failures are always printed.
import type { OpsOutput } from "./output.ts";

export type Fact = "plan" | "disk" | "archives";

type Env = Readonly<Record<string, string | undefined>>;

export function alreadyShown(env: Env, fact: Fact): boolean {
  return (env["DCE_SHOWN"] ?? "").split(",").includes(fact);
}

/** The child's DCE_SHOWN entry: what the parent was told plus what it printed itself. */
export function shownEnv(env: Env, ...facts: Fact[]): { DCE_SHOWN: string } {
  const all = new Set([...(env["DCE_SHOWN"] ?? "").split(",").filter(Boolean), ...facts]);
  return { DCE_SHOWN: [...all].sort().join(",") };
}

/** `out` for a fact already shown: its lines are dropped, its errors and warnings still go through. */
export function unlessShown(env: Env, fact: Fact, out: OpsOutput): OpsOutput {
  return alreadyShown(env, fact) ? { out: () => {}, err: (line) => out.err(line) } : out;
}
