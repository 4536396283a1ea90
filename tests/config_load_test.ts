import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig } from "../lib/config/load_config.ts";
import { ConfigError, MissingConfigError } from "../lib/config/config_error.ts";
import { validateConfig } from "../lib/config/validate_config.ts";
import { errorLine } from "../lib/cli/run_main.ts";
import { UserErrorList } from "../lib/cli/errors.ts";

async function withConfig(
  content: string | object,
  fn: (path: string, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "dce-config-test-" });
  try {
    const path = join(dir, "scrape-targets.json");
    await Deno.writeTextFile(path, typeof content === "string" ? content : JSON.stringify(content));
    await fn(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function problemsOf(content: string | object): Promise<string[]> {
  let problems: string[] = [];
  await withConfig(content, async (path) => {
    await assert.rejects(loadConfig(path), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.exitCode, 1);
      problems = [...err.problems];
      return true;
    });
  });
  return problems;
}

const good = {
  archive_root: "/srv/archive",
  defaults: { include_threads: "active", include_voice_channels: true },
  targets: [
    { name: "a", output_dir: "/srv/archive/a", guild_ids: ["123456789012345678"] },
    {
      name: "b",
      kind: "dms",
      output_dir: "/srv/archive/b/",
      enabled: false,
      include_voice_channels: false,
      include_threads: "none",
      container_memory: "8g",
      disabled_reason: "needs a user token",
    },
  ],
};

Deno.test("loadConfig() returns typed targets with defaults applied and false kept false", async () => {
  await withConfig(good, async (path) => {
    const config = await loadConfig(path);
    assert.equal(config.archiveRoot, "/srv/archive");
    assert.equal(config.path, path);
    const [a, b] = config.targets;
    assert.deepEqual(a, {
      name: "a",
      kind: "guild",
      outputDir: "/srv/archive/a",
      enabled: true,
      channelIds: [],
      guildIds: ["123456789012345678"],
      guildNamePatterns: [],
      includeThreads: "active",
      includeVoiceChannels: true,
    });
    // docs/bash-suite.md#h25-false-treated-as-missing: the target's explicit false is not overridden by defaults.include_voice_channels=true.
    assert.equal(b?.includeVoiceChannels, false);
    assert.equal(b?.includeThreads, "none");
    assert.equal(b?.enabled, false);
    assert.equal(b?.kind, "dms");
    assert.equal(b?.outputDir, "/srv/archive/b");
    assert.equal(b?.containerMemory, "8g");
    assert.equal(b?.disabledReason, "needs a user token");
  });
});

Deno.test("loadConfig() defaults: threads all, voice false", async () => {
  await withConfig(
    { archive_root: "/r", targets: [{ name: "x", output_dir: "/r/x" }] },
    async (path) => {
      const [x] = (await loadConfig(path)).targets;
      assert.equal(x?.includeThreads, "all");
      assert.equal(x?.includeVoiceChannels, false);
    },
  );
});

Deno.test("loadConfig() normalises a trailing slash on archive_root instead of rejecting every output_dir (docs/bash-suite.md#h27-lexical-path-checks)", async () => {
  await withConfig(
    { archive_root: "/srv/archive/", targets: [{ name: "x", output_dir: "/srv/archive/x" }] },
    async (path) => {
      const config = await loadConfig(path);
      assert.equal(config.archiveRoot, "/srv/archive");
      assert.equal(config.targets[0]?.outputDir, "/srv/archive/x");
    },
  );
});

Deno.test("loadConfig() missing file (exit 2, names the example) and invalid JSON", async () => {
  await assert.rejects(
    loadConfig("/nonexistent/dce/scrape-targets.json"),
    (err: unknown) =>
      err instanceof MissingConfigError && err.exitCode === 2 &&
      err.message ===
        "Missing config: /nonexistent/dce/scrape-targets.json. Copy config/scrape-targets.example.json to config/scrape-targets.json and edit it, or pass --config PATH.",
  );
  const problems = await problemsOf("{ not json");
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? "", /^Invalid JSON config: \/.*scrape-targets\.json/);
});

Deno.test("loadConfig() each check of docs/config.md#errors has its exact message", async (t) => {
  const cases: Array<[string, object, string]> = [
    [
      "missing archive_root",
      { targets: [{ name: "a", output_dir: "/r/a" }] },
      "Config is missing top-level archive_root.",
    ],
    [
      "relative archive_root",
      { archive_root: "r", targets: [{ name: "a", output_dir: "/r/a" }] },
      "archive_root must be an absolute path.",
    ],
    [
      "archive_root /",
      { archive_root: "/", targets: [{ name: "a", output_dir: "/a" }] },
      'archive_root "/" is a system folder; give the archive a folder of its own, e.g. /srv/discord-archive.',
    ],
    [
      "archive_root under /proc",
      { archive_root: "/proc/self/", targets: [{ name: "a", output_dir: "/proc/self/a" }] },
      'archive_root "/proc/self" is a system folder; give the archive a folder of its own, e.g. /srv/discord-archive.',
    ],
    ["no targets", { archive_root: "/r", targets: [] }, "Config must define at least one target."],
    ["targets absent", { archive_root: "/r" }, "Config must define at least one target."],
    ["duplicate names", {
      archive_root: "/r",
      targets: [{ name: "a", output_dir: "/r/a" }, { name: "a", output_dir: "/r/b" }],
    }, "Duplicate target names found: a"],
    ["duplicate dirs", {
      archive_root: "/r",
      targets: [{ name: "a", output_dir: "/r/s" }, { name: "b", output_dir: "/r/s/" }],
    }, "Duplicate target output directories found: /r/s"],
    [
      "nameless",
      { archive_root: "/r", targets: [{ output_dir: "/r/a" }] },
      "Every target must have a name.",
    ],
    [
      "no output_dir",
      { archive_root: "/r", targets: [{ name: "a" }] },
      "Target 'a' is missing output_dir.",
    ],
    ["bad kind", {
      archive_root: "/r",
      targets: [{ name: "a", kind: "forum", output_dir: "/r/a" }],
    }, "Target 'a' has unsupported kind 'forum'."],
    [
      "outside",
      { archive_root: "/r", targets: [{ name: "a", output_dir: "/elsewhere/a" }] },
      "Target 'a' output_dir '/elsewhere/a' is outside archive_root '/r'.",
    ],
    [
      "prefix sibling",
      { archive_root: "/r", targets: [{ name: "a", output_dir: "/r2/a" }] },
      "Target 'a' output_dir '/r2/a' is outside archive_root '/r'.",
    ],
    [
      "dot-dot",
      { archive_root: "/r", targets: [{ name: "a", output_dir: "/r/../etc" }] },
      "Target 'a' output_dir '/r/../etc' is outside archive_root '/r'.",
    ],
  ];
  for (const [name, config, message] of cases) {
    await t.step(name, async () => {
      assert.deepEqual(await problemsOf(config), [message]);
    });
  }
});

Deno.test("loadConfig() reports ALL problems at once, one line each", async () => {
  const problems = await problemsOf({
    archive_root: "/r",
    targets: [
      { name: "a", kind: "weird", output_dir: "/x/a" },
      { output_dir: "/r/b" },
      { name: "c" },
    ],
  });
  assert.deepEqual(problems, [
    "Target 'a' has unsupported kind 'weird'.",
    "Target 'a' output_dir '/x/a' is outside archive_root '/r'.",
    "Every target must have a name.",
    "Target 'c' is missing output_dir.",
  ]);
  const lines = problems.map(errorLine);
  assert.ok(lines.every((l) => l.startsWith("ERROR: ") && !l.includes("\n")));
  assert.ok(new ConfigError(problems) instanceof UserErrorList);
});

Deno.test("loadConfig() rejects numeric ids (precision lost above 2^53) and non-digit ids", async () => {
  // 123456789012345678901 cannot survive JSON.parse as a number; detect by type.
  const problems = await problemsOf(
    '{"archive_root": "/r", "targets": [{"name": "a", "output_dir": "/r/a", ' +
      '"channel_ids": [123456789012345678901, "12x", 1e999], "guild_ids": "1"}]}',
  );
  assert.equal(problems.length, 4);
  assert.match(
    problems[0] ?? "",
    /^Target 'a' channel_ids\[0\] is a JSON number .*2\^53.*quoted string/,
  );
  assert.match(problems[1] ?? "", /^Target 'a' channel_ids\[1\] "12x" is not a Discord id/);
  // 1e999 parses to Infinity, which has no integer reading.
  assert.match(
    problems[2] ?? "",
    /^Target 'a' channel_ids\[2\] is a JSON number \(read as Infinity\)/,
  );
  assert.match(problems[3] ?? "", /^Target 'a' guild_ids must be an array/);
});

Deno.test("loadConfig() rejects wrongly typed booleans and thread modes instead of guessing", async () => {
  const problems = await problemsOf({
    archive_root: "/r",
    defaults: { include_threads: "some" },
    targets: [{ name: "a", output_dir: "/r/a", enabled: "false", include_voice_channels: 0 }],
  });
  assert.deepEqual(problems, [
    'defaults.include_threads must be "none", "active" or "all", not "some".',
    "Target 'a' enabled must be true or false (without quotes), not \"false\".",
    "Target 'a' include_voice_channels must be true or false (without quotes), not 0.",
  ]);
});

Deno.test("loadConfig() follows symlinks: an output_dir that links outside the root is rejected", async () => {
  const outside = await Deno.makeTempDir({ prefix: "dce-outside-" });
  try {
    await withConfig("{}", async (path, dir) => {
      const root = join(dir, "archive");
      await Deno.mkdir(root);
      await Deno.symlink(outside, join(root, "escape"));
      await Deno.mkdir(join(root, "real"));
      await Deno.writeTextFile(
        path,
        JSON.stringify({
          archive_root: root,
          targets: [
            { name: "ok", output_dir: join(root, "real", "sub-not-yet-created") },
            { name: "bad", output_dir: join(root, "escape", "sub") },
          ],
        }),
      );
      await assert.rejects(loadConfig(path), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.problems.length, 1);
        assert.match(
          err.problems[0] ?? "",
          /^Target 'bad' output_dir .* resolves through a symlink/,
        );
        return true;
      });
    });
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("loadConfig() accepts an archive_root that is itself a symlink", async () => {
  await withConfig("{}", async (path, dir) => {
    await Deno.mkdir(join(dir, "real-root"));
    await Deno.symlink(join(dir, "real-root"), join(dir, "root-link"));
    await Deno.writeTextFile(
      path,
      JSON.stringify({
        archive_root: join(dir, "root-link"),
        targets: [{ name: "a", output_dir: join(dir, "root-link", "a") }],
      }),
    );
    const config = await loadConfig(path);
    assert.equal(config.targets.length, 1);
  });
});

Deno.test("validateConfig() rejects a non-object top level", () => {
  const result = validateConfig([1, 2], "/c.json");
  assert.equal(result.ok, false);
});
