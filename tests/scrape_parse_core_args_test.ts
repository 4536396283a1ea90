import assert from "node:assert/strict";
import { parseCoreArgs } from "../lib/scrape/parse_core_args.ts";
import { UsageError } from "../lib/cli/errors.ts";
import { guildNameMatches, normaliseGuildName } from "../lib/scrape/guild_name_match.ts";
import { archiveFileName, sanitizeNamePart } from "../lib/archive/archive_file_name.ts";
import { probeBound } from "../lib/scrape/preflight_target.ts";

Deno.test("parseCoreArgs(): modes, repeatable options, help, passthrough", () => {
  assert.deepEqual(parseCoreArgs([]), { kind: "help" });
  assert.deepEqual(parseCoreArgs(["--help"]), { kind: "help" });
  assert.deepEqual(
    parseCoreArgs([
      "scrape",
      "--config",
      "/c.json",
      "--target",
      "a",
      "--target",
      "b",
      "--guild",
      "1",
      "--channel",
      "2",
    ]),
    {
      kind: "mode",
      mode: "scrape",
      help: false,
      strict: false,
      waitSeconds: 0,
      config: "/c.json",
      targets: ["a", "b"],
      guilds: ["1"],
      channels: ["2"],
    },
  );
  const waiting = parseCoreArgs(["salvage", "--wait", "30", "--conflict-exit-code", "75"]);
  assert.equal((waiting as { waitSeconds: number }).waitSeconds, 30);
  assert.equal((waiting as { conflictExitCode: number }).conflictExitCode, 75);
  assert.throws(() => parseCoreArgs(["scrape", "--wait", "soon"]), /Invalid --wait "soon"/);
  assert.equal((parseCoreArgs(["salvage", "-h"]) as { help: boolean }).help, true);
  assert.deepEqual(parseCoreArgs(["guilds", "-t", "x"]), {
    kind: "passthrough",
    args: ["guilds", "-t", "x"],
  });
  assert.deepEqual(parseCoreArgs(["list-targets", "--config", "/c"]), {
    kind: "list-targets",
    help: false,
    config: "/c",
  });
});

Deno.test("parseCoreArgs(): the shared usage errors, exit 2; a typo never becomes a CLI command", () => {
  const fails = (argv: string[], message: string) =>
    assert.throws(
      () => parseCoreArgs(argv),
      (e: unknown) => e instanceof UsageError && e.exitCode === 2 && e.message === message,
    );
  fails(["scarpe"], "Unknown subcommand 'scarpe'. Did you mean 'scrape'?");
  fails(["--bogus"], "Unknown option '--bogus'.");
  fails(["scrape", "--nope"], "Unknown option '--nope'.");
  fails(["scrape", "x"], "Unexpected argument 'x' (see --help).");
  fails(["preflight", "--config"], "Missing value for --config.");
  fails(["scrape", "--target", "--guild"], "Missing value for --target.");
  fails(["list-targets", "--guild", "1"], "Unknown option '--guild'.");
  fails(["scrape", "--guild", "12a"], "--guild '12a' is not a Discord id (digits only).");
});

Deno.test("guild name patterns: normalised, equal or contained either way, empty never matches", () => {
  assert.equal(normaliseGuildName("KotOR: Discord!"), "kotordiscord");
  assert.equal(guildNameMatches("kotor discord", "KotOR Discord Server"), true);
  assert.equal(guildNameMatches("The KotOR Discord Server (official)", "kotor discord"), true);
  assert.equal(guildNameMatches("acme", "Other"), false);
  assert.equal(guildNameMatches("!!!", "Anything"), false);
});

Deno.test("archive file names: sanitised as docs/archive.md#file-names says, empty parts dropped, 255-byte limit", () => {
  assert.equal(sanitizeNamePart("  a/b\\\\c\r\nd\u0001e  "), "a_b_c d e");
  assert.equal(
    archiveFileName("Fixture Guild", "Testing Grounds", "fixture-room", "111"),
    "Fixture Guild - Testing Grounds - fixture-room [111].json",
  );
  assert.equal(archiveFileName("G", null, "c", "1"), "G - c [1].json");
  assert.equal(archiveFileName("", "  ", null, "1"), "channel [1].json");
  const long = archiveFileName("ü".repeat(300), null, "x", "1214000000000000001");
  assert.ok(new TextEncoder().encode(long).length <= 255);
  assert.ok(long.endsWith(" [1214000000000000001].json"));
});

Deno.test("preflight probe bound is the channel id + 1, exact beyond 2^53", () => {
  assert.equal(probeBound("1214000000000000001"), "1214000000000000002");
  assert.equal(probeBound("9007199254740993"), "9007199254740994");
});
