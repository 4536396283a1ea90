// The checkout a tool runs from: DCE_REPO_ROOT if set (as in the bash suite), else this file's checkout.
import { resolve } from "node:path";

const checkout = resolve(import.meta.dirname ?? ".", "../..");

export function repoRoot(env: { get(name: string): string | undefined } = Deno.env): string {
  const override = env.get("DCE_REPO_ROOT");
  return override ? resolve(override) : checkout;
}
