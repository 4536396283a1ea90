// ./dce demo: builds a sandbox archive root and runs the real operator workflow on it end to end, through the
// same scripts an operator runs (as child processes), against a simulated Discord (the fake DCE CLI).
import { join, resolve } from "node:path";
import { EXIT, UserError } from "../cli/errors.ts";
import type { OpsLog } from "./ops_log.ts";
import { runTool } from "./run_child.ts";
import { readSmallTextFile, SIZE_CAP } from "../fs/read_small_file.ts";

export interface DemoOptions {
  /** Folder to build the sandbox in (must be absent or empty); a new temp folder when undefined. */
  path?: string | undefined;
  repoRoot: string;
  log: OpsLog;
}

const GUILD = { id: "222222222222222222", name: "Demo Guild" };
const GENERAL = "111111111111111111";
const RANDOM = "333333333333333333";

interface WorldChannel {
  id: string;
  guildId: string;
  name: string;
  category: string;
  count: number;
  killAfter?: number;
}

async function prepareFolder(path: string | undefined): Promise<string> {
  if (path === undefined) return await Deno.makeTempDir({ prefix: "dce-demo-" });
  const root = resolve(path);
  try {
    const info = await Deno.lstat(root);
    if (!info.isDirectory) throw new UserError(`Demo folder "${root}" exists and is not a folder.`);
    for await (const _ of Deno.readDir(root)) {
      throw new UserError(
        `Demo folder "${root}" is not empty; give an empty or new folder (the demo writes an archive tree there).`,
      );
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(root, { recursive: true });
  }
  return root;
}

async function countMessages(path: string): Promise<number> {
  const data = JSON.parse(await Deno.readTextFile(path));
  return Array.isArray(data.messages) ? data.messages.length : 0;
}

async function listArchives(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for await (const entry of Deno.readDir(d)) {
      const p = join(d, entry.name);
      if (entry.isDirectory && !entry.name.startsWith(".dce-")) await walk(p);
      else if (entry.isFile && entry.name.endsWith(".json")) found.push(p);
    }
  };
  await walk(dir).catch(() => {});
  return found.sort();
}

/** Runs the demo; returns the sandbox folder. Throws a UserError naming the step that failed. */
export async function runDemo(opts: DemoOptions): Promise<string> {
  const { log } = opts;
  const root = await prepareFolder(opts.path);
  const archiveRoot = join(root, "archive");
  const outputDir = join(archiveRoot, "demo-guild");
  const config = join(root, "scrape-targets.json");
  const worldFile = join(root, "simulated-discord-world.json");
  const logs = join(root, "logs");
  await Deno.mkdir(archiveRoot, { recursive: true });
  await Deno.writeTextFile(
    config,
    JSON.stringify(
      {
        archive_root: archiveRoot,
        targets: [{ name: "demo", output_dir: outputDir, channel_ids: [GENERAL, RANDOM] }],
      },
      null,
      2,
    ) + "\n",
  );
  const channels: WorldChannel[] = [
    { id: GENERAL, guildId: GUILD.id, name: "general", category: "Text", count: 6 },
    { id: RANDOM, guildId: GUILD.id, name: "random", category: "Text", count: 4 },
  ];
  const saveWorld = () =>
    Deno.writeTextFile(worldFile, JSON.stringify({ guilds: [GUILD], channels }, null, 2) + "\n");
  await saveWorld();

  // Only the exporter is simulated; everything else is the operator's real path through ./dce.
  const env: Record<string, string> = {
    DCE_EXPORTER: "cli",
    DCE_CLI_BIN: join(opts.repoRoot, "smokes", "fakes", "dce-cli"),
    FAKE_DCE_WORLD: worldFile,
    DISCORD_TOKEN: "simulated-demo-token",
    DCE_LOG_DIR: logs,
    DCE_ENV_FILE: join(root, "scrape.env"),
    // The cut-off export below is from a process that is already dead, so it may be salvaged at once.
    DCE_STALE_TEMP_MIN_AGE_SECONDS: "0",
    // The cut-off export is retried; a demo need not wait the minutes a real outage is given.
    DCE_RETRY_DELAYS: "0.2,0.2",
    // Whatever the operator's shell points at must not leak into the sandbox.
    DCE_CONFIG_FILE: "",
    DCE_PRIMARY_CONFIG: "",
    DCE_SCRAPE_LOCK_FILE: "",
    DCE_SKIP_SCRAPE_LOCK: "",
    DCE_RUN_SUMMARY_FILE: "",
    DCE_COMPOSE_FILE: "",
  };
  const summaries: string[] = [];
  log.watch((line) => {
    const m = /^JSON summary file: (.+)$/.exec(line);
    if (m) summaries.push(m[1]!);
  });

  log.out("dce-ops demo");
  log.out("============");
  log.out(`Sandbox: ${root}`);
  log.out(
    "Discord is SIMULATED here: the fake DCE CLI (smokes/fakes/dce-cli) serves a synthetic guild from",
  );
  log.out(`  ${worldFile}; the real CLI needs a token and the network. Everything else is real.`);
  const steps = 6;
  let n = 0;
  const step = async (title: string, tool: string, args: string[], expected = 0) => {
    n++;
    log.out("");
    log.out(`==> [${n}/${steps}] ${title}`);
    log.out(`    $ ./dce ${tool} ${args.join(" ")}`);
    const code = await runTool(log, opts.repoRoot, tool, args, { env });
    if (code !== expected) {
      throw new UserError(
        `Demo step ${n} (${tool}) failed with exit ${code}; see its output above. Sandbox kept at ${root}.`,
      );
    }
  };
  const cfg = ["--config", config];

  await step("Handoff: readiness, lock status and a documents dry run", "operator-handoff", cfg);
  await step(
    "First scrape: creates one archive per channel (simulated Discord)",
    "run-documents-scrape",
    cfg,
  );

  channels[0]!.count += 3;
  channels[1]!.count += 2;
  await saveWorld();
  log.out("");
  log.out("    (simulated Discord grows: +3 messages in #general, +2 in #random)");
  await step(
    "Second scrape: incremental, only the new messages are fetched and merged",
    "run-documents-scrape",
    cfg,
  );

  channels[0]!.count += 2;
  channels[1]!.count += 3;
  channels[1]!.killAfter = 2;
  await saveWorld();
  log.out("");
  log.out(
    "    (simulated Discord grows again, and the #random export will be KILLED mid-message: a cut-off export)",
  );
  await step(
    "Third scrape: #random is cut off (every try); its partial export is kept for salvage",
    "run-documents-scrape",
    cfg,
    EXIT.partial,
  );
  log.out(
    `    (exit ${EXIT.partial}, partial: the other channels were scraped; #random is recorded as failed)`,
  );

  delete channels[1]!.killAfter;
  await saveWorld();
  await step(
    "Salvage the cut-off export, then scrape and prove the archives only grew",
    "run-operator-proof",
    [...cfg, "--salvage-before-scrape"],
  );
  await step("Audit: every archive is valid, complete JSON again", "audit-archive-json", cfg);

  log.out("");
  log.out("Demo summary");
  log.out("============");
  log.out(`Sandbox:            ${root}`);
  log.out(`Config:             ${config}`);
  log.out(`Archive root:       ${archiveRoot}`);
  log.out(`Simulated Discord:  ${worldFile}`);
  log.out(`Logs and summaries: ${logs}`);
  log.out("Archives:");
  for (const file of await listArchives(outputDir)) {
    log.out(`  ${await countMessages(file)} messages  ${file}`);
  }
  log.out("Runs (from their JSON summaries):");
  // A proof names its summary file and the documents run it starts names it again: list each once.
  for (const file of new Set(summaries)) {
    try {
      const t =
        JSON.parse(await readSmallTextFile(file, { what: "Summary", maxBytes: SIZE_CAP.data }))
          .totals;
      log.out(
        `  ${t.created} created, ${t.merged} merged, ${t.unchanged} unchanged, ${t.skipped} skipped; +${t.messages_appended} messages  ${file}`,
      );
    } catch {
      log.out(`  (no summary written)  ${file}`);
    }
  }
  log.out("");
  log.out(
    "Demo complete: the operator proof passed (archives only grew; the cut-off export was salvaged).",
  );
  return root;
}
