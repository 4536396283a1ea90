// One command-line surface: every tool answers --version, --help, an unknown option, an unknown
// subcommand, a missing config and a relative --config from another folder the same way.
import assert from "node:assert/strict";
import { join } from "node:path";
import { ROOT, runTool, tempDir, type ToolRun } from "./_harness.ts";

interface ToolCase {
  tool: string;
  /** Words before the options (a subcommand), and after them (what the tool needs to get going). */
  before?: string[];
  after?: string[];
  /** Its subcommands, when it has some: a typo gets "Did you mean". */
  subcommands?: boolean;
  /** Takes file or command words (a stray word is not an error there). */
  positional?: boolean;
  config?: boolean;
}

const TOOLS: ToolCase[] = [
  { tool: "audit-archive-json", config: true },
  { tool: "demo", positional: true },
  { tool: "gen-tools-doc" },
  { tool: "merge-export", positional: true },
  { tool: "operator-handoff", config: true },
  { tool: "prove-incremental-append", config: true, after: ["--target", "x"] },
  { tool: "run-all-smokes" },
  { tool: "run-documents-scrape", config: true, after: ["--dry-run"] },
  { tool: "run-failure-hook", config: true },
  { tool: "run-operator-proof", config: true, after: ["--dry-run"] },
  { tool: "run-operator-validation", config: true, after: ["--dry-run"] },
  { tool: "run-scrape", config: true, subcommands: true, before: ["scrape"] },
  { tool: "run-scrape-host", config: true, subcommands: true, before: ["scrape"] },
  { tool: "salvage-truncated-export", positional: true },
  { tool: "scrape-lock-status", config: true },
  { tool: "status", config: true },
  { tool: "setup-cron", config: true, after: ["--skip-preflight", "--dry-run"] },
  { tool: "setup-systemd", config: true, after: ["--skip-preflight", "--dry-run"] },
  { tool: "setup-scrape-auth" },
  { tool: "verify-documents-archives", config: true },
  { tool: "verify-operator-ready", config: true },
  // `ls -a` in the folder the relative config's archive_root names shows the lock it took there.
  { tool: "with-scrape-lock", config: true, positional: true, after: ["--", "ls", "-a"] },
];

// The scrape core stamps its log lines ("[<UTC time>] ERROR: …"); the sentence is the same.
const MISSING_CONFIG =
  /^(?:\[[^\]]+\] )?ERROR: Missing config: (\S+)\. Copy config\/scrape-targets\.example\.json to config\/scrape-targets\.json and edit it, or pass --config PATH\.$/m;

/** Runs at most `width` cases at a time: each is its own Deno process. */
async function inParallel<T>(items: T[], width: number, run: (item: T) => Promise<void>) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await run(item);
    }),
  );
}

function show(run: ToolRun): string {
  return `exit ${run.code}\n--- stdout\n${run.stdout}--- stderr\n${run.stderr}`;
}

Deno.test("every tool is in the table (a new tool must join the uniform surface)", () => {
  const scripts = [...Deno.readDirSync(join(ROOT, "scripts"))]
    .map((e) => e.name.replace(/\.ts$/, "")).sort();
  assert.deepEqual(TOOLS.map((t) => t.tool).sort(), scripts);
});

Deno.test("every tool: --version, --help, unknown option, unknown subcommand, missing and relative config", async (t) => {
  await using dir = await tempDir("dce-cli-surface-");
  // A relative config from another folder: an unknown key in it proves this very file was read.
  await Deno.mkdir(join(dir.path, "cfg"));
  const relative = join(dir.path, "cfg", "targets.json");
  await Deno.writeTextFile(
    relative,
    JSON.stringify({ archive_root: dir.path, targets: [], archve_root: "typo" }),
  );
  const env = { DCE_LOG_DIR: join(dir.path, "logs"), DCE_CONFIG_FILE: "", DCE_PRIMARY_CONFIG: "" };
  const failures: string[] = [];
  const check = (name: string, run: ToolRun, ok: boolean) => {
    if (!ok) failures.push(`${name}: ${show(run)}`);
  };

  await inParallel(TOOLS, 4, async (c) => {
    const call = (args: string[], cwd = ROOT) =>
      runTool(c.tool, [...(c.before ?? []), ...args, ...(c.after ?? [])], { env, cwd });

    const version = await runTool(c.tool, ["--version"], { env });
    check(
      `${c.tool} --version`,
      version,
      version.code === 0 &&
        new RegExp(
          `^${c.tool} \\(dce-ops\\) \\d+\\.\\d+\\.\\d+(, commit [0-9a-f]{12})?, Deno \\d+\\.\\d+\\.\\d+\\n$`,
        )
          .test(version.stdout),
    );

    const help = await runTool(c.tool, ["--help"], { env });
    const { USAGE } = await import(join(ROOT, "scripts", `${c.tool}.ts`));
    check(`${c.tool} --help`, help, help.code === 0 && help.stdout === `${USAGE}\n`);

    const option = await call(["--bogus-option"]);
    check(
      `${c.tool} --bogus-option`,
      option,
      option.code === 2 && option.stderr === "ERROR: Unknown option '--bogus-option'.\n",
    );

    if (c.subcommands) {
      const typo = await runTool(c.tool, ["scarpe"], { env });
      check(
        `${c.tool} scarpe`,
        typo,
        typo.code === 2 &&
          typo.stderr === "ERROR: Unknown subcommand 'scarpe'. Did you mean 'scrape'?\n",
      );
    } else if (!c.positional) {
      const stray = await call(["scarpe"]);
      check(
        `${c.tool} scarpe`,
        stray,
        stray.code === 2 && stray.stderr === "ERROR: Unexpected argument 'scarpe' (see --help).\n",
      );
    }

    if (!c.config) return;
    const missingPath = join(dir.path, "none.json");
    const missing = await call(["--config", missingPath]);
    const match = missing.stderr.match(MISSING_CONFIG);
    check(`${c.tool} missing config`, missing, missing.code === 2 && match?.[1] === missingPath);

    // From another folder: cfg/targets.json is under the current folder, never under the repo.
    // Proof that this file was read: its typo reported, its path shown, or its archive root's lock.
    const rel = await call(["--config", "cfg/targets.json"], dir.path);
    const said = rel.stdout + rel.stderr;
    check(
      `${c.tool} relative --config`,
      rel,
      said.includes("Unknown key 'archve_root' at the top level of the config.") ||
        said.includes(`config: ${relative}`) || said.includes(".dce-scrape.lock\n"),
    );
  });
  await t.step("all uniform", () => assert.deepEqual(failures, []));
});
