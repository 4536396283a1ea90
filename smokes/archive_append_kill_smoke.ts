// The in-place append under its journal, SIGKILLed at random moments (50 times each, DCE_SMOKE_SCALE
// multiplies): while appending, and while a later run rolls an interrupted append back. After the
// rollback the archive is byte-identical to the old or the new one, the audit passes, and the next
// run succeeds. Then a full disk (a small tmpfs) during an append: one clear line, archive as it was.
import assert from "node:assert/strict";
import { join } from "node:path";
import { runTool, SCALE, spawnTool, tempDir } from "./_harness.ts";
import { generateArchive } from "../bench/archive/generate_archive.ts";
import { mergeExportIntoArchive } from "../lib/archive/merge_export.ts";
import { auditArchive } from "../lib/archive/audit_archive.ts";
import { validRecord, writeRecord } from "../lib/archive/archive_record.ts";
import {
  journalPath,
  rollBackInterruptedAppend,
  writeJournal,
} from "../lib/archive/archive_journal.ts";

const KILLS = Math.max(1, Math.round(50 * SCALE));
const ARCHIVE_MESSAGES = 3000;
const NEW_MESSAGES = 8000; // ~10 MB appended: the write phase is long enough to be hit often
const CHANNEL = "712345678901234567";

const spawnMerge = (archive: string, exp: string) =>
  spawnTool("merge-export", [archive, exp], { stdout: "null" });

async function exists(path: string): Promise<boolean> {
  return await Deno.lstat(path).then(() => true, () => false);
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

interface World {
  archive: string;
  exp: string;
  old: Uint8Array;
  next: Uint8Array;
  /** Puts the old archive back with a valid record, so the append (not the full rewrite) runs. */
  reset(): Promise<void>;
}

async function world(dir: string): Promise<World> {
  const seed = join(dir, "seed.json");
  const exp = join(dir, "export.json");
  const archive = join(dir, "Acme Devs - Engineering - deployments [712345678901234567].json");
  await generateArchive(seed, ARCHIVE_MESSAGES, 0);
  await generateArchive(exp, NEW_MESSAGES, ARCHIVE_MESSAGES);
  await mergeExportIntoArchive({ archivePath: archive, exportPath: seed });
  const old = await Deno.readFile(archive);
  const reset = async () => {
    await Deno.writeFile(archive, old);
    await writeRecord(archive, {
      count: ARCHIVE_MESSAGES,
      channelId: CHANNEL,
      guildLabel: "Acme Devs [612345678901234567]",
      ours: true,
    });
    assert.ok(await validRecord(archive));
  };
  await reset();
  const r = await mergeExportIntoArchive({ archivePath: archive, exportPath: exp });
  assert.ok(r.inPlace, "the append path ran");
  const next = await Deno.readFile(archive);
  await reset();
  return { archive, exp, old, next, reset };
}

/** Rolls back (as the next tool under the lock does), then: old or new, audit clean, next run = new. */
async function settle(w: World, label: string): Promise<"old" | "new"> {
  await rollBackInterruptedAppend(w.archive, () => {});
  const now = await Deno.readFile(w.archive);
  const state = same(now, w.old) ? "old" : same(now, w.next) ? "new" : null;
  assert.ok(state, `${label}: torn archive (${now.length} bytes)`);
  const audit = await auditArchive(w.archive);
  assert.ok(audit.ok && audit.outOfOrder === 0 && audit.duplicates === 0, `${label}: audit`);
  const again = await spawnMerge(w.archive, w.exp).output();
  assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
  assert.ok(same(await Deno.readFile(w.archive), w.next), `${label}: the next run's result`);
  return state;
}

async function killAfter(child: Deno.ChildProcess, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  try {
    child.kill("SIGKILL");
  } catch { /* already exited */ }
  await child.output();
}

Deno.test(`append killed ${KILLS} times, and its rollback ${KILLS} times: old or new, never torn`, async () => {
  await using dir = await tempDir("dce-append-kill-");
  const w = await world(dir.path);
  const started = performance.now();
  assert.equal((await spawnMerge(w.archive, w.exp).output()).code, 0);
  const runMs = performance.now() - started;
  await w.reset();

  const seen = { journal: 0, old: 0, new: 0 };
  // Kill at least KILLS times, and on until one kill left a journal (at most 20 more): the property
  // is only tested if some kills land inside the append.
  for (let i = 0; i < KILLS || (seen.journal === 0 && i < KILLS + 20); i++) {
    await w.reset();
    const child = spawnMerge(w.archive, w.exp);
    if (i % 2 === 0 && i < KILLS) {
      await killAfter(child, Math.random() * runMs * 1.05); // anywhere in the run
    } else {
      // The append itself is a short part of the run: wait for its journal, then a random moment.
      const deadline = performance.now() + runMs * 4;
      while (!(await exists(journalPath(w.archive))) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
      await killAfter(child, Math.random() * 30);
    }
    if (await exists(journalPath(w.archive))) seen.journal++;
    seen[await settle(w, `append kill ${i}`)]++;
  }
  console.log(
    `append kills: ${KILLS}; journal left: ${seen.journal}; old: ${seen.old}, new: ${seen.new}`,
  );
  assert.ok(seen.journal > 0, "no kill landed during the append; the run was too short");

  // An interrupted append (journal + part of the new bytes), then the next run killed while it rolls back.
  const point = w.old.length - `\n  ],\n  "messageCount": ${ARCHIVE_MESSAGES}\n}`.length;
  const headerEnd = w.old.indexOf(0x5b); // no "[" before the messages array in these headers
  for (let i = 0; i < KILLS; i++) {
    await w.reset();
    await writeJournal(w.archive, w.old.length, [
      { offset: 0, bytes: w.old.subarray(0, headerEnd) },
      { offset: point, bytes: w.old.subarray(point) },
    ]);
    using file = await Deno.open(w.archive, { write: true });
    await file.write(w.next.subarray(0, headerEnd));
    await file.seek(point, Deno.SeekMode.Start);
    await file.write(
      w.next.subarray(point, point + Math.floor(Math.random() * (w.next.length - point))),
    );
    file.close();
    await killAfter(spawnMerge(w.archive, w.exp), Math.random() * runMs * 1.05);
    await settle(w, `rollback kill ${i}`);
  }
});

Deno.test("append on a full disk: one clear line, the archive as it was, no journal left", async () => {
  if (Deno.uid() !== 0) {
    console.log("skipped: mounting a tmpfs needs root");
    return;
  }
  await using dir = await tempDir("dce-append-full-");
  const w = await world(dir.path);
  const mnt = join(dir.path, "small");
  await Deno.mkdir(mnt);
  const size = Math.ceil((w.old.length + 2 * 1024 * 1024) / 4096) * 4096; // too small for the new bytes
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", mnt],
  }).output();
  assert.ok(mount.success, new TextDecoder().decode(mount.stderr));
  try {
    const archive = join(mnt, "a [712345678901234567].json");
    await Deno.writeFile(archive, w.old);
    await writeRecord(archive, {
      count: ARCHIVE_MESSAGES,
      channelId: CHANNEL,
      guildLabel: "Acme Devs [612345678901234567]",
      ours: true,
    });
    const r = await runTool("merge-export", [archive, w.exp]);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      /^ERROR: Cannot append to '.*': No space left on device.*rolled back, the archive is as it was/,
    );
    assert.ok(same(await Deno.readFile(archive), w.old), "archive as it was");
    assert.equal(await exists(journalPath(archive)), false, "journal removed");
  } finally {
    await new Deno.Command("umount", { args: [mnt] }).output();
  }
});
