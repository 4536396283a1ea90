// Unit tests for lock path resolution: env override, config archive_root, per-checkout fallback.
import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveLockPath } from "../lib/lock/resolve_lock_path.ts";
import { ConfigError, MissingConfigError } from "../lib/config/config_error.ts";

function withConfig(text: string | null, fn: (path: string) => void) {
  const dir = Deno.makeTempDirSync();
  try {
    const path = join(dir, "c.json");
    if (text !== null) Deno.writeTextFileSync(path, text);
    fn(path);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("resolveLockPath() uses the lock file override verbatim, without reading the config", () => {
  const got = resolveLockPath({
    configPath: "/nonexistent.json",
    repoRoot: "/repo",
    lockFile: "/x//y.lock",
  });
  assert.deepEqual(got, { path: "/x//y.lock", source: "env" });
});

Deno.test("resolveLockPath() joins archive_root without a double slash", () => {
  withConfig(`{"archive_root": "/srv/archive/"}`, (configPath) => {
    const got = resolveLockPath({ configPath, repoRoot: "/repo" });
    assert.equal(got.path, "/srv/archive/.dce-scrape.lock");
    assert.equal(got.source, "config");
    assert.equal(got.warning, undefined);
  });
});

Deno.test("resolveLockPath() falls back to the checkout with a warning when archive_root is unusable", () => {
  for (
    const text of [
      `{}`,
      `{"archive_root": null}`,
      `{"archive_root": ""}`,
      `{"archive_root": 5}`,
      `{"archive_root": "rel/dir"}`,
      `[]`,
    ]
  ) {
    withConfig(text, (configPath) => {
      const got = resolveLockPath({ configPath, repoRoot: "/repo" });
      assert.equal(got.path, "/repo/.dce-scrape.lock", text);
      assert.equal(got.source, "fallback");
      assert.match(got.warning ?? "", /^WARN: .*per-checkout lock \/repo\/\.dce-scrape\.lock/);
    });
  }
});

Deno.test("resolveLockPath() rejects a missing or unparseable config with exit code 2", () => {
  withConfig(null, (configPath) => {
    assert.throws(
      () => resolveLockPath({ configPath, repoRoot: "/repo" }),
      (err: unknown) =>
        err instanceof MissingConfigError && err.exitCode === 2 &&
        err.message.startsWith(
          `Missing config: ${configPath}. Copy config/scrape-targets.example.json`,
        ),
    );
  });
  withConfig(`{"archive_root": `, (configPath) => {
    assert.throws(
      () => resolveLockPath({ configPath, repoRoot: "/repo" }),
      (err: unknown) =>
        err instanceof ConfigError && err.exitCode === 2 &&
        err.message.startsWith(`Invalid JSON config: ${configPath}`),
    );
  });
});
