// The one precedence of config / env file / lock settings (docs/cli.md), as one table over resolveSettings().
import assert from "node:assert/strict";
import { resolveSettings, type SettingsRequest } from "../lib/config/resolve_settings.ts";

const REPO = "/repo";
const CWD = "/work/here";
const FALLBACK = "/opt/dce-config/scrape-targets.json";

interface Row {
  name: string;
  config?: string;
  envFile?: string;
  env?: Record<string, string>;
  /** Files that exist (for the fallback and the /config/<x> rule). */
  files?: string[];
  want: {
    config: string;
    configSource: string;
    envFile?: string;
    envFileSource?: string;
    envFileRequired?: boolean;
    lockFile?: string;
    skipLock?: boolean;
  };
}

const BOTH = { DCE_CONFIG_FILE: "/a/config-file.json", DCE_PRIMARY_CONFIG: "/b/primary.json" };

const TABLE: Row[] = [
  {
    name: "nothing set: the checkout's config and scrape.env",
    want: {
      config: "/repo/config/scrape-targets.json",
      configSource: "default",
      envFile: "/repo/scrape.env",
      envFileSource: "default",
      envFileRequired: false,
      skipLock: false,
    },
  },
  {
    name: "--config beats both variables",
    config: "/x/given.json",
    env: BOTH,
    want: { config: "/x/given.json", configSource: "--config" },
  },
  {
    name: "DCE_CONFIG_FILE beats DCE_PRIMARY_CONFIG (the same in every tool)",
    env: BOTH,
    want: { config: "/a/config-file.json", configSource: "DCE_CONFIG_FILE" },
  },
  {
    name: "DCE_PRIMARY_CONFIG alone",
    env: { DCE_PRIMARY_CONFIG: "/b/primary.json" },
    want: { config: "/b/primary.json", configSource: "DCE_PRIMARY_CONFIG" },
  },
  {
    name: "an empty variable counts as unset",
    env: { DCE_CONFIG_FILE: "", DCE_PRIMARY_CONFIG: "/b/primary.json" },
    want: { config: "/b/primary.json", configSource: "DCE_PRIMARY_CONFIG" },
  },
  {
    name: "a relative --config starts at the current folder, not the repo",
    config: "cfg/t.json",
    want: { config: "/work/here/cfg/t.json", configSource: "--config" },
  },
  {
    name: "a relative variable starts at the current folder too",
    env: { DCE_CONFIG_FILE: "../t.json" },
    want: { config: "/work/t.json", configSource: "DCE_CONFIG_FILE" },
  },
  {
    name: "the image's fallback only when nothing is named and the default is missing",
    files: [FALLBACK],
    want: { config: FALLBACK, configSource: "DCE_FALLBACK_CONFIG" },
  },
  {
    name: "the default wins over the fallback when it exists",
    files: [FALLBACK, "/repo/config/scrape-targets.json"],
    want: { config: "/repo/config/scrape-targets.json", configSource: "default" },
  },
  {
    name: "a named config that does not exist is never swapped for the fallback",
    config: "/x/missing.json",
    files: [FALLBACK],
    want: { config: "/x/missing.json", configSource: "--config" },
  },
  {
    name: "DCE_FALLBACK_CONFIG moves the fallback",
    env: { DCE_FALLBACK_CONFIG: "/etc/dce.json" },
    files: ["/etc/dce.json"],
    want: { config: "/etc/dce.json", configSource: "DCE_FALLBACK_CONFIG" },
  },
  {
    name: "/config/<x> absent on this host is the container's name for <repo>/config/<x>",
    config: "/config/other.json",
    want: { config: "/repo/config/other.json", configSource: "--config" },
  },
  {
    name: "/config/<x> present on this host (inside the container) is itself",
    config: "/config/other.json",
    files: ["/config/other.json"],
    want: { config: "/config/other.json", configSource: "--config" },
  },
  {
    name: "--env-file beats DCE_ENV_FILE, starts at the current folder and must exist",
    envFile: "my.env",
    env: { DCE_ENV_FILE: "/e/scrape.env" },
    want: {
      config: "/repo/config/scrape-targets.json",
      configSource: "default",
      envFile: "/work/here/my.env",
      envFileSource: "--env-file",
      envFileRequired: true,
    },
  },
  {
    name: "DCE_ENV_FILE names the env file but it stays optional (cron lines carry it)",
    env: { DCE_ENV_FILE: "/e/scrape.env" },
    want: {
      config: "/repo/config/scrape-targets.json",
      configSource: "default",
      envFile: "/e/scrape.env",
      envFileSource: "DCE_ENV_FILE",
      envFileRequired: false,
    },
  },
  {
    name: "DCE_SCRAPE_LOCK_FILE: an absolute override verbatim, DCE_SKIP_SCRAPE_LOCK only as '1'",
    env: { DCE_SCRAPE_LOCK_FILE: "/locks//a.lock", DCE_SKIP_SCRAPE_LOCK: "1" },
    want: {
      config: "/repo/config/scrape-targets.json",
      configSource: "default",
      lockFile: "/locks//a.lock",
      skipLock: true,
    },
  },
  {
    name: "a relative lock override starts at the current folder; 'yes' does not skip the lock",
    env: { DCE_SCRAPE_LOCK_FILE: "run/a.lock", DCE_SKIP_SCRAPE_LOCK: "yes" },
    want: {
      config: "/repo/config/scrape-targets.json",
      configSource: "default",
      lockFile: "/work/here/run/a.lock",
      skipLock: false,
    },
  },
];

Deno.test("resolveSettings(): one precedence table for config, env file and lock", () => {
  for (const row of TABLE) {
    const files = new Set(row.files ?? []);
    const request: SettingsRequest = {
      config: row.config,
      envFile: row.envFile,
      env: row.env ?? {},
      cwd: CWD,
      repoRoot: REPO,
      isFile: (path) => files.has(path),
    };
    const got = resolveSettings(request);
    const want = row.want;
    assert.equal(got.configPath, want.config, row.name);
    assert.equal(got.configSource, want.configSource, row.name);
    if (want.envFile !== undefined) assert.equal(got.envFilePath, want.envFile, row.name);
    if (want.envFileSource !== undefined) {
      assert.equal(got.envFileSource, want.envFileSource, row.name);
    }
    if (want.envFileRequired !== undefined) {
      assert.equal(got.envFileRequired, want.envFileRequired, row.name);
    }
    assert.equal(got.lockFile, want.lockFile, row.name);
    if (want.skipLock !== undefined) assert.equal(got.skipLock, want.skipLock, row.name);
  }
});
