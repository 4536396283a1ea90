// Bad input to run-scrape: each docs/config.md#fields config error (one line each, exit 1, nothing touched), selection and usage errors.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  CoreSandbox,
  DEFAULT_NAME,
  exists,
  fixtureExport,
  fixtureWorld,
} from "./fakes/core_sandbox.ts";

function errorLines(stderr: string): string[] {
  return stderr.split("\n").filter((l) => l.includes("ERROR: "));
}

Deno.test("every docs/config.md#fields config error: exact text, one line each, exit 1, no CLI call, no archive folder", async (t) => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const root = box.archiveRoot;
  const cases: Array<[string, object | string, string[]]> = [
    ["invalid JSON", "{ nope", [`Invalid JSON config: ${box.configPath}`]],
    ["no archive_root", { targets: [{ name: "a", output_dir: `${root}/a` }] }, [
      "Config is missing top-level archive_root.",
    ]],
    ["relative root", { archive_root: "rel", targets: [{ name: "a", output_dir: `${root}/a` }] }, [
      "archive_root must be an absolute path.",
    ]],
    ["no targets", { archive_root: root, targets: [] }, [
      "Config must define at least one target.",
    ]],
    ["duplicates", {
      archive_root: root,
      targets: [
        { name: "a", output_dir: `${root}/s` },
        { name: "a", output_dir: `${root}/s` },
      ],
    }, ["Duplicate target names found: a", `Duplicate target output directories found: ${root}/s`]],
    ["nameless + missing dir + kind + outside", {
      archive_root: root,
      targets: [
        { output_dir: `${root}/x` },
        { name: "b" },
        { name: "c", kind: "voice", output_dir: `${root}/c` },
        { name: "d", output_dir: "/elsewhere/d" },
      ],
    }, [
      "Every target must have a name.",
      "Target 'b' is missing output_dir.",
      "Target 'c' has unsupported kind 'voice'.",
      `Target 'd' output_dir '/elsewhere/d' is outside archive_root '${root}'.`,
    ]],
    ["typos at every level: the closest known key", {
      archive_root: root,
      default: { include_voice_channels: true },
      defaults: { include_thread: "none" },
      targets: [{ name: "a", output_dir: `${root}/a`, guild_id: ["1"], _note: "kept as a note" }],
    }, [
      "Unknown key 'default' at the top level of the config. Did you mean 'defaults'?",
      "Unknown key 'include_thread' in defaults. Did you mean 'include_threads'?",
      "Unknown key 'guild_id' in target 'a'. Did you mean 'guild_ids'?",
    ]],
    // The target would run (enabled by default) if the misspelt key were ignored: nothing runs.
    ["a misspelt enabled never lets a disabled target run", {
      archive_root: root,
      targets: [{ name: "off", output_dir: `${root}/off`, channel_ids: ["1"], enable: false }],
    }, ["Unknown key 'enable' in target 'off'. Did you mean 'enabled'?"]],
  ];
  for (const [name, config, expected] of cases) {
    await t.step(name, async () => {
      await box.writeConfig(config);
      const run = await box.run(["scrape"]);
      assert.equal(run.code, 1, run.stderr);
      const lines = errorLines(run.stderr);
      assert.equal(lines.length, expected.length, run.stderr);
      expected.forEach((text, i) =>
        assert.ok(lines[i]?.includes(`ERROR: ${text}`), `${lines[i]} ~ ${text}`)
      );
      assert.equal((await box.invocations()).length, 0);
      assert.deepEqual([...Deno.readDirSync(root)], []);
    });
  }
  await t.step("missing config file", async () => {
    const run = await box.run(["scrape", "--config", join(box.root, "nope.json")]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /ERROR: Missing config: .*nope\.json\. Copy config\/scrape-targets\.example\.json/,
    );
  });
});

Deno.test("selection errors: unknown target, overrides with two targets, no token", async () => {
  const world = fixtureWorld();
  await using box = await CoreSandbox.create(world);
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [
      { name: "one", output_dir: `${box.archiveRoot}/one`, channel_ids: ["111"] },
      { name: "two", output_dir: `${box.archiveRoot}/two`, channel_ids: ["111"] },
    ],
  });
  const unknown = await box.run(["scrape", "--target", "nope"]);
  assert.equal(unknown.code, 1);
  assert.match(
    unknown.stderr,
    /ERROR: Unknown target 'nope' in .*scrape-targets\.json\. Known: one, two\./,
  );
  const two = await box.run(["scrape", "--target", "one", "--target", "two", "--channel", "111"]);
  assert.equal(two.code, 1);
  assert.match(
    two.stderr,
    /ERROR: When using --guild or --channel overrides, select exactly one --target\./,
  );
  const all = await box.run(["scrape", "--channel", "111"]);
  assert.match(all.stderr, /select exactly one --target/);
  const foreign = await box.run(["scrape", "--target", "one", "--channel", "999"]);
  assert.equal(foreign.code, 1);
  assert.match(
    foreign.stderr,
    /ERROR: --channel 999 is not among the 1 channel\(s\) resolved for target 'one'/,
  );
  const noToken = await box.run(["scrape"], { DISCORD_TOKEN: "" });
  assert.equal(noToken.code, 1);
  assert.match(noToken.stderr, /ERROR: DISCORD_TOKEN is not set\./);
  assert.equal((await box.invocations()).length, 0);
  assert.ok(!(await exists(`${box.archiveRoot}/one`)));
});

Deno.test("usage: the shared texts and exit 2, a typo never reaches the CLI; help exits 0", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  const cases: Array<[string[], RegExp]> = [
    [["scrape", "--bogus"], /ERROR: Unknown option '--bogus'\./],
    [["preflight", "--target"], /ERROR: Missing value for --target\./],
    [["list-targets", "--target", "x"], /ERROR: Unknown option '--target'\./],
    [["salvage", "--channel", "abc"], /ERROR: --channel 'abc' is not a Discord id/],
    [["scarpe"], /ERROR: Unknown subcommand 'scarpe'\. Did you mean 'scrape'\?/],
  ];
  for (const [args, pattern] of cases) {
    const run = await box.run(args);
    assert.equal(run.code, 2, args.join(" "));
    assert.match(run.stderr, pattern);
  }
  assert.equal((await box.invocations()).length, 0, "nothing reached the DCE CLI");
  const help = await box.run(["scrape", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /run-scrape scrape +\[--config PATH\]/);
});

Deno.test("guild targets: name patterns (normalised), ambiguity is an error, threads included", async () => {
  const world = fixtureWorld();
  world.guilds = [
    { id: "222", name: "Fixture Guild" },
    { id: "223", name: "Fixture Guild Archive" },
    { id: "224", name: "Other Place" },
  ];
  world.channels?.push(
    { id: "1214000000000000001", guildId: "222", name: "rollout", parentId: "111", messages: [] },
    { id: "130", guildId: "222", name: "voice", type: "GuildVoiceChat", messages: [] },
  );
  await using box = await CoreSandbox.create(world);
  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{
      name: "g",
      output_dir: `${box.archiveRoot}/g`,
      guild_name_patterns: ["OTHER-place!"],
    }],
  });
  const other = await box.run(["preflight"]);
  assert.equal(other.code, 1); // guild 224 has no channels
  assert.match(other.stderr, /Server scope: Other Place \[224\]/);
  assert.match(other.stderr, /ERROR: Target 'g' resolved no channels during preflight\./);

  await box.writeConfig({
    archive_root: box.archiveRoot,
    targets: [{
      name: "g",
      output_dir: `${box.archiveRoot}/g`,
      guild_name_patterns: ["fixture guild"],
    }],
  });
  const ambiguous = await box.run(["scrape"]);
  assert.equal(ambiguous.code, 1);
  assert.match(
    ambiguous.stderr,
    /ERROR: Guild name pattern 'fixture guild' of target 'g' matches 2 guilds: Fixture Guild \[222\], Fixture Guild Archive \[223\]\. Use guild_ids to pick one\./,
  );

  await box.writeConfig({
    archive_root: box.archiveRoot,
    defaults: { include_threads: "all", include_voice_channels: true },
    targets: [{
      name: "g",
      output_dir: `${box.archiveRoot}/g`,
      guild_ids: ["222"],
      include_voice_channels: false,
    }],
  });
  // A seeded archive of a channel the listing no longer shows stays covered (docs/bash-suite.md#h26-guild-patterns-and-seeded-targets): it is
  // exported (here: 404, so SKIPPED), not silently forgotten.
  await Deno.mkdir(`${box.archiveRoot}/g`, { recursive: true });
  await Deno.writeTextFile(
    `${box.archiveRoot}/g/Fixture Guild - old [5550000000000000001].json`,
    fixtureExport("5550000000000000001", [{ id: "1" }], { name: "old" }),
  );
  const ok = await box.run(["scrape"]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /SKIPPED {2}channel 5550000000000000001 /);
  assert.match(ok.stderr, /Server scope: Fixture Guild \[222\]/);
  assert.match(ok.stderr, /Exporting channel 1214000000000000001/);
  // include_voice_channels: false on the target wins over defaults true (docs/bash-suite.md#h25-false-treated-as-missing).
  assert.doesNotMatch(ok.stderr, /Exporting channel 130 /);
  const listing = (await box.invocations()).findLast((c) => c.argv[0] === "channels");
  assert.deepEqual(listing?.argv, [
    "channels",
    "--guild",
    "222",
    "--include-vc",
    "false",
    "--include-threads",
    "all",
  ]);
});

Deno.test("discovery failures name the step (error-path smoke): guilds, channels of a guild, DMs", async () => {
  const world = fixtureWorld();
  world.failGuilds = true;
  world.failDm = true;
  await using box = await CoreSandbox.create(world);
  const cases: Array<[object, RegExp]> = [
    [
      { name: "p", output_dir: `${box.archiveRoot}/p`, guild_name_patterns: ["fixture"] },
      /ERROR: Guild discovery failed\. If you are using a bot token, .* CLI output: .*failed: forbidden\./,
    ],
    [
      { name: "g", output_dir: `${box.archiveRoot}/g`, guild_ids: ["999999999"] },
      /ERROR: Channel discovery failed for guild 999999999\. CLI output: .*failed: not found\./,
    ],
    [
      { name: "d", kind: "dms", output_dir: `${box.archiveRoot}/d` },
      /ERROR: DM discovery failed\. Bot tokens cannot read direct messages;/,
    ],
  ];
  for (const [target, pattern] of cases) {
    await box.writeConfig({ archive_root: box.archiveRoot, targets: [target] });
    const run = await box.run(["scrape"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, pattern);
  }
  // Nothing but the lock's own files, which stay (emptied) once a run has locked the root:
  // discovery calls the CLI, so the lock is held from before it.
  const left = [...Deno.readDirSync(box.archiveRoot)].map((e) => e.name).sort();
  assert.deepEqual(left, [".dce-scrape.lock", ".dce-scrape.lock.reclaim"]);
});

Deno.test("an archive that is valid JSON but not a DCE export is called that; salvage with nothing to salvage reads no archive", async () => {
  await using box = await CoreSandbox.create(fixtureWorld());
  await Deno.mkdir(box.out, { recursive: true });
  const foreign = join(box.out, DEFAULT_NAME);
  await Deno.writeTextFile(foreign, JSON.stringify({ messages: [], note: "no guild, no channel" }));

  const salvage = await box.run(["salvage"]);
  assert.equal(salvage.code, 0, salvage.stderr);
  assert.match(salvage.stderr, /Nothing to salvage for channel 111\./);
  assert.match(salvage.stderr, /salvage completed/);

  const scrape = await box.run(["scrape"]);
  assert.equal(scrape.code, 1);
  assert.match(
    scrape.stderr,
    /ERROR: Existing archive .*fixture-room \[111\]\.json is valid JSON but not a DCE export/,
  );
  assert.doesNotMatch(scrape.stderr, /not valid JSON/);
  assert.equal((await box.invocations()).length, 0);
});
