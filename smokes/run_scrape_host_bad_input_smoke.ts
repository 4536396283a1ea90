// run-scrape-host on bad input: one clear ERROR line, exit 1 (2 for usage or a missing config), no export,
// nothing touched.
import assert from "node:assert/strict";
import { join } from "node:path";
import { tempDir } from "./_harness.ts";
import { CHANNEL, host, listTree, makeRepo } from "./host_fixture.ts";
import { HISTORY_FILE_NAME } from "../lib/ops/run_history.ts";
import { assertRun } from "./process_spec.ts";

const SECRET = "mfa.LeakCanary-7f3a9c.do-not-print";

Deno.test("usage: no subcommand → one line + exit 2; --help → exit 0 and documents every setting", async () => {
  await using dir = await tempDir();
  const repo = await makeRepo(dir.path);
  const none = await host([], repo.env());
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^ERROR: Missing subcommand: use 'preflight', 'scrape' or 'salvage'/);
  const help = await host(["scrape", "--help"], repo.env());
  assert.equal(help.code, 0);
  for (
    const word of [
      "--env-file",
      "--compose-file",
      "--exporter",
      "--config",
      "--target",
      "--guild",
      "--channel",
      "DISCORD_TOKEN_FILE",
      "DCE_REAUTH_COMMAND",
      "DCE_CLI_BIN",
      "DCE_COMPOSE_BIN",
      "DCE_DOCKER_BIN",
      "DCE_COMPOSE_TTY",
      "DCE_CONTAINER_MEMORY",
      "DCE_USERNS_MODE",
      "DCE_RUN_SUMMARY_JSON",
      "DCE_RUN_SUMMARY_FILE",
      "DCE_MIN_FREE_MB",
      "DCE_SKIP_DISK_CHECK",
      "DCE_SCRAPE_LOCK_FILE",
      "DCE_SKIP_SCRAPE_LOCK",
      "DCE_EXPORTER",
      "Token precedence",
    ]
  ) assert.ok(help.stdout.includes(word), `--help does not mention ${word}`);
  assert.equal(await repo.dockerCalls(), 0);
});

interface Case {
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Prepare the repo (break something). */
  setup?: (r: Awaited<ReturnType<typeof makeRepo>>, dir: string) => Promise<void>;
  code: number;
  error: RegExp;
}

const cases: Case[] = [
  {
    name: "unsupported subcommand",
    args: ["export"],
    code: 2,
    error: /^ERROR: Unknown subcommand 'export'\. Use 'preflight', 'scrape', 'salvage'\.$/m,
  },
  {
    name: "unknown option",
    args: ["scrape", "--bogus"],
    code: 2,
    error: /^ERROR: Unknown option '--bogus'\.$/m,
  },
  {
    name: "missing option value",
    args: ["scrape", "--target"],
    code: 2,
    error: /^ERROR: Missing value for --target\.$/m,
  },
  {
    name: "missing config",
    args: ["scrape", "--config", "config/none.json"],
    code: 2,
    error: /^ERROR: Missing config: .*config\/none\.json\. Copy /m,
  },
  {
    name: "invalid JSON config",
    args: ["scrape"],
    setup: (r) => Deno.writeTextFile(r.config, "{ not json"),
    code: 1,
    error: /^ERROR: Invalid JSON config: /m,
  },
  {
    name: "config without archive_root",
    args: ["scrape"],
    setup: (r) => r.writeConfig({ targets: [{ name: "a", output_dir: "/x" }] }),
    code: 1,
    error: /^ERROR: Config is missing top-level archive_root\.$/m,
  },
  {
    name: "relative archive_root",
    args: ["scrape"],
    setup: (r) =>
      r.writeConfig({ archive_root: "rel", targets: [{ name: "a", output_dir: "/x" }] }),
    code: 1,
    error: /^ERROR: archive_root must be an absolute path\.$/m,
  },
  {
    name: "no targets",
    args: ["scrape"],
    setup: (r) => r.writeConfig({ archive_root: r.archive, targets: [] }),
    code: 1,
    error: /^ERROR: Config must define at least one target\.$/m,
  },
  {
    name: "duplicate names and output dirs",
    args: ["scrape"],
    setup: (r) =>
      r.writeConfig({
        archive_root: r.archive,
        targets: [
          { name: "a", output_dir: join(r.archive, "x") },
          { name: "a", output_dir: join(r.archive, "x") },
        ],
      }),
    code: 1,
    error:
      /^ERROR: Duplicate target names found: a\n(.|\n)*^ERROR: Duplicate target output directories found: /m,
  },
  {
    name: "target without name / output_dir / with bad kind",
    args: ["scrape"],
    setup: (r) =>
      r.writeConfig({
        archive_root: r.archive,
        targets: [{ output_dir: join(r.archive, "x") }, { name: "b" }, {
          name: "c",
          kind: "forum",
          output_dir: join(r.archive, "c"),
        }],
      }),
    code: 1,
    error:
      /Every target must have a name(.|\n)*Target 'b' is missing output_dir\.(.|\n)*Target 'c' has unsupported kind 'forum'\./,
  },
  {
    name: "output_dir outside archive_root",
    args: ["scrape"],
    setup: (r) =>
      r.writeConfig({
        archive_root: r.archive,
        targets: [{ name: "a", output_dir: "/elsewhere" }],
      }),
    code: 1,
    error: /^ERROR: Target 'a' output_dir '\/elsewhere' is outside archive_root '/m,
  },
  {
    name: "unknown target",
    args: ["scrape", "--target", "nope"],
    code: 1,
    error: /^ERROR: Unknown target '[^']+' in /m,
  },
  {
    name: "--channel with two targets",
    args: ["scrape", "--target", "demo", "--target", "two", "--channel", CHANNEL],
    setup: (r) =>
      r.writeConfig({
        archive_root: r.archive,
        targets: [
          { name: "demo", output_dir: join(r.archive, "demo"), channel_ids: [CHANNEL] },
          { name: "two", output_dir: join(r.archive, "two"), channel_ids: ["2"] },
        ],
      }),
    code: 1,
    error: /^ERROR: When using --guild or --channel overrides, select exactly one --target\.$/m,
  },
  {
    name: "missing compose binary",
    args: ["scrape"],
    env: { DCE_DOCKER_BIN: "/nonexistent/docker" },
    code: 1,
    error: /^ERROR: Required command '\/nonexistent\/docker' is missing\./m,
  },
  {
    name: "missing compose file",
    args: ["scrape", "--compose-file", "/nonexistent/compose.yml"],
    code: 1,
    error: /^ERROR: Missing compose file: \/nonexistent\/compose\.yml$/m,
  },
  {
    name: "config outside the mounted config folder (compose)",
    args: ["scrape", "--config", "OUTSIDE"],
    code: 1,
    error:
      /^ERROR: Config .* is outside .*\/config, the only config folder mounted into the container/m,
  },
  {
    name: "token with a line break under compose (used to be a stack trace)",
    args: ["scrape"],
    env: { DISCORD_TOKEN: "abc\nB=2" },
    code: 1,
    error:
      /^ERROR: The token \(.*\) contains a line break; a Discord token is one line\. Fix it and rerun\.$/m,
  },
  {
    name: "missing DCE CLI (direct exporter)",
    args: ["scrape", "--exporter", "cli"],
    env: { DCE_CLI_BIN: "/nonexistent/DiscordChatExporter.Cli" },
    code: 1,
    error: /^ERROR: DCE CLI not found: \/nonexistent\/DiscordChatExporter\.Cli \(DCE_CLI_BIN\)/m,
  },
  {
    name: "token file missing",
    args: ["scrape"],
    env: { DISCORD_TOKEN_FILE: "/nonexistent/token" },
    code: 1,
    error: /^ERROR: DISCORD_TOKEN_FILE does not exist: \/nonexistent\/token$/m,
  },
  {
    name: "token file unreadable (a directory)",
    args: ["scrape"],
    env: { DISCORD_TOKEN_FILE: "/" },
    code: 1,
    error:
      /^ERROR: DISCORD_TOKEN_FILE \/ is a directory, not a regular file; point it at a file\.$/m,
  },
  {
    name: "token file is a FIFO (used to hang, deaf to signals)",
    args: ["scrape"],
    setup: async (r, d) => {
      const fifo = join(d, "token.fifo");
      await new Deno.Command("mkfifo", { args: [fifo] }).output();
      await Deno.writeTextFile(r.envFile, `DISCORD_TOKEN_FILE=${fifo}\n`);
    },
    code: 1,
    error:
      /^ERROR: DISCORD_TOKEN_FILE \S+token\.fifo is a FIFO \(named pipe\), not a regular file; point it at a file\.$/m,
  },
  {
    name: "token file /dev/zero (used to fill memory)",
    args: ["scrape"],
    env: { DISCORD_TOKEN_FILE: "/dev/zero" },
    code: 1,
    error:
      /^ERROR: DISCORD_TOKEN_FILE \/dev\/zero is a device, not a regular file; point it at a file\.$/m,
  },
  {
    name: "--config is /dev/zero",
    args: ["scrape", "--config", "/dev/zero"],
    code: 1,
    error: /^ERROR: Config \/dev\/zero is a device, not a regular file; point it at a file\.$/m,
  },
  {
    name: "token file empty",
    args: ["preflight"],
    setup: (r, d) =>
      Deno.writeTextFile(join(d, "empty.tok"), "\n").then(() =>
        Deno.writeTextFile(r.envFile, `DISCORD_TOKEN_FILE=${join(d, "empty.tok")}\n`)
      ),
    code: 1,
    error: /^ERROR: DISCORD_TOKEN_FILE is empty: /m,
  },
  {
    name: "no token anywhere",
    args: ["scrape"],
    setup: (r) => Deno.remove(r.envFile),
    code: 1,
    error: /^ERROR: DISCORD_TOKEN is not set\. .*missing: .*scrape\.env/m,
  },
  {
    name: "env file line with a bare token is rejected without echoing it",
    args: ["scrape"],
    setup: (r) => Deno.writeTextFile(r.envFile, `DISCORD_TOKEN=dummy\n${SECRET}\n`),
    code: 1,
    error:
      /^ERROR: Invalid env assignment in .*scrape\.env: line 2 \(expected NAME=value; line content not shown\)$/m,
  },
  {
    name: "non-numeric DCE_MIN_FREE_MB",
    args: ["scrape"],
    env: { DCE_MIN_FREE_MB: "1g" },
    code: 1,
    error: /^ERROR: DCE_MIN_FREE_MB must be a whole number of MiB/m,
  },
  {
    name: "not enough disk space",
    args: ["scrape"],
    env: { DCE_MIN_FREE_MB: "999999999" },
    code: 1,
    error: /^ERROR: Insufficient disk space on /m,
  },
  {
    name: "TMPDIR that does not exist (no place for the token env file)",
    args: ["scrape"],
    env: { TMPDIR: "/nonexistent/tmp" },
    code: 1,
    error:
      /^ERROR: Cannot create the token env file in \/nonexistent\/tmp: the folder does not exist; set TMPDIR/m,
  },
  {
    name: "DCE_RUN_SUMMARY_FILE below a regular file",
    args: ["scrape"],
    setup: (r) => Deno.writeTextFile(join(r.root, "afile"), "x"),
    env: { DCE_RUN_SUMMARY_FILE: "afile/s.json" },
    code: 1,
    error: /^ERROR: Cannot create the folder of DCE_RUN_SUMMARY_FILE .*afile: /m,
  },
  {
    name: "bad DCE_EXPORTER",
    args: ["scrape"],
    env: { DCE_EXPORTER: "podman" },
    code: 2,
    error: /^ERROR: DCE_EXPORTER must be 'cli' or 'compose', got 'podman'\.$/m,
  },
  {
    name: "DCE_ARCHIVE_ROOT differs from archive_root (docs/bash-suite.md#h28-bind-mount-mismatch)",
    args: ["scrape"],
    env: { DCE_ARCHIVE_ROOT: "/srv/other" },
    code: 1,
    error: /^ERROR: DCE_ARCHIVE_ROOT \(\/srv\/other\) differs from archive_root/m,
  },
];

Deno.test("bad input: one clear ERROR line, documented exit code, no export, archive untouched", async (t) => {
  for (const c of cases) {
    await t.step(c.name, async () => {
      await using dir = await tempDir();
      const repo = await makeRepo(dir.path);
      await Deno.mkdir(join(repo.archive, "demo"), { recursive: true });
      await Deno.writeTextFile(join(repo.archive, "demo", `G - c [${CHANNEL}].json`), "{}");
      await c.setup?.(repo, dir.path);
      const before = await listTree(repo.archive);
      const args = c.args.map((a) => (a === "OUTSIDE" ? join(dir.path, "outside.json") : a));
      if (args.includes(join(dir.path, "outside.json"))) {
        await Deno.copyFile(repo.config, join(dir.path, "outside.json"));
      }
      const run = await host(args, repo.env({ DCE_MIN_FREE_MB: "0", ...c.env }));
      assertRun(run, { code: c.code });
      assert.match(run.stderr, c.error);
      assert.ok(!run.stderr.includes(SECRET) && !run.stdout.includes(SECRET));
      assert.equal(await repo.dockerCalls(), 0, "nothing may be exported");
      // A failed run is still a run: the history line beside the archives is all that may appear.
      const after = (await listTree(repo.archive)).filter((f) => f !== HISTORY_FILE_NAME);
      assert.deepEqual(after, before, "the archive must not change");
    });
  }
});
