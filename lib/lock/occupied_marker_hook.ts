// Test hook (smokes only): every holder marks the critical section with an exclusive-create file, so
// a smoke racing real tools sees two holders at once even when the archives happen to survive it.
import { join } from "node:path";
import { readProcessStat } from "../process/child_process.ts";

/** Folder for the marker; when set, a second live holder inside leaves an `overlap.<pid>` file there. */
export const OCCUPIED_DIR_HOOK = "DCE_OPS_TEST_OCCUPIED_DIR";

function hookDir(): string | null {
  try {
    return Deno.env.get(OCCUPIED_DIR_HOOK) || null;
  } catch {
    return null; // no env permission: not a test run
  }
}

function identity(pid: number): string {
  return `${pid} ${readProcessStat(pid)?.startTime ?? ""}`;
}

/** Alive as recorded: same pid, same start time, not a zombie (a SIGKILLed holder's marker stays). */
function markerOwnerAlive(text: string): boolean {
  const [pidText = "0", start = ""] = text.split(" ");
  const stat = Number(pidText) > 0 ? readProcessStat(Number(pidText)) : null;
  return stat !== null && stat.state !== "Z" && stat.state !== "X" && stat.startTime === start;
}

/** Called right after acquiring. */
export function enterOccupied(): void {
  const dir = hookDir();
  if (dir === null) return;
  const marker = join(dir, "occupied");
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      Deno.writeTextFileSync(marker, identity(Deno.pid), { createNew: true });
      return;
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) throw err;
      let owner = "";
      try {
        owner = Deno.readTextFileSync(marker);
      } catch { /* removed meanwhile: try again */ }
      if (owner !== "" && markerOwnerAlive(owner)) {
        Deno.writeTextFileSync(
          join(dir, `overlap.${Deno.pid}`),
          `pid ${Deno.pid} acquired while ${owner} was inside\n`,
        );
        return;
      }
      Deno.removeSync(marker);
    }
  }
}

/** Called before the flock is dropped: removes the marker when it is ours. */
export function leaveOccupied(): void {
  const dir = hookDir();
  if (dir === null) return;
  const marker = join(dir, "occupied");
  try {
    if (Deno.readTextFileSync(marker) === identity(Deno.pid)) Deno.removeSync(marker);
  } catch { /* not there */ }
}
