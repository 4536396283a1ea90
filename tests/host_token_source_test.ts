// resolveToken(): the documented precedence, token-file reading rules, and errors that never hold a token.
import assert from "node:assert/strict";
import { join } from "node:path";
import { readTokenFile } from "../lib/host/token_file.ts";
import { resolveToken, type TokenInputs } from "../lib/host/token_source.ts";
import { withTempDir as withDir } from "./fixtures/helpers.ts";

function inputs(dir: string, over: Partial<TokenInputs> = {}): TokenInputs {
  return {
    env: {},
    envFile: null,
    envFilePath: join(dir, "scrape.env"),
    repoRoot: join(dir, "repo"),
    home: join(dir, "home"),
    ...over,
  };
}

Deno.test("readTokenFile() takes the first line without CR or blanks; empty is an error", async () => {
  await withDir(async (dir) => {
    const f = join(dir, "t");
    await Deno.writeTextFile(f, "  tok-1\r\nsecond\n");
    assert.equal(await readTokenFile(f), "tok-1");
    await Deno.writeTextFile(f, "\r\nlater-line\n");
    await assert.rejects(readTokenFile(f), /^UserError: DISCORD_TOKEN_FILE is empty: /);
    await assert.rejects(readTokenFile(join(dir, "none")), /DISCORD_TOKEN_FILE does not exist: /);
    await assert.rejects(readTokenFile(dir), /is a directory/);
  });
});

Deno.test({
  name: "readTokenFile() reports an unreadable file",
  // root reads anything; the host smoke covers an unreadable token file through its own path.
  ignore: Deno.uid() === 0,
}, async () => {
  await withDir(async (dir) => {
    const f = join(dir, "t");
    await Deno.writeTextFile(f, "tok");
    await Deno.chmod(f, 0o000);
    await assert.rejects(readTokenFile(f), /permission denied/);
  });
});

Deno.test("resolveToken() precedence: exported value > exported file > env-file value > env-file file > defaults", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "repo"));
    await Deno.mkdir(join(dir, "home", ".config", "discord-scrape"), { recursive: true });
    const exportedFile = join(dir, "exported.tok");
    const envFileFile = join(dir, "envfile.tok");
    await Deno.writeTextFile(exportedFile, "from-exported-file\n");
    await Deno.writeTextFile(envFileFile, "from-envfile-file\n");
    await Deno.writeTextFile(join(dir, "repo", ".discord-token"), "from-repo-default\n");
    await Deno.writeTextFile(
      join(dir, "home", ".config", "discord-scrape", "token"),
      "from-home\n",
    );
    const envFile = new Map([["DISCORD_TOKEN", "from-envfile"], [
      "DISCORD_TOKEN_FILE",
      envFileFile,
    ]]);
    const all = {
      env: { DISCORD_TOKEN: "from-exported", DISCORD_TOKEN_FILE: exportedFile },
      envFile,
    };
    assert.equal((await resolveToken(inputs(dir, all)))?.token, "from-exported");
    const noValue = { ...all, env: { DISCORD_TOKEN: "  ", DISCORD_TOKEN_FILE: exportedFile } };
    const r2 = await resolveToken(inputs(dir, noValue));
    assert.equal(r2?.token, "from-exported-file");
    assert.equal(r2?.file, exportedFile);
    assert.equal((await resolveToken(inputs(dir, { envFile })))?.token, "from-envfile");
    const onlyFile = new Map([["DISCORD_TOKEN", ""], ["DISCORD_TOKEN_FILE", envFileFile]]);
    assert.equal(
      (await resolveToken(inputs(dir, { envFile: onlyFile })))?.token,
      "from-envfile-file",
    );
    assert.equal((await resolveToken(inputs(dir)))?.token, "from-repo-default");
    await Deno.remove(join(dir, "repo", ".discord-token"));
    assert.equal((await resolveToken(inputs(dir)))?.token, "from-home");
    await Deno.remove(join(dir, "home", ".config", "discord-scrape", "token"));
    await Deno.writeTextFile(join(dir, "home", ".config", "discord-token"), "from-home-2");
    assert.equal((await resolveToken(inputs(dir)))?.token, "from-home-2");
    assert.equal(await resolveToken(inputs(dir, { home: undefined })), null);
  });
});

Deno.test("resolveToken() resolves an env-file DISCORD_TOKEN_FILE relative to the env file", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(join(dir, "rel.tok"), "relative-ok");
    const r = await resolveToken(
      inputs(dir, { envFile: new Map([["DISCORD_TOKEN_FILE", "rel.tok"]]) }),
    );
    assert.equal(r?.token, "relative-ok");
    assert.equal(r?.file, join(dir, "rel.tok"));
    assert.ok(!r?.source.includes("relative-ok"));
  });
});

Deno.test("resolveToken() fails on a named-but-missing token file instead of falling through", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(join(dir, "repo"));
    await Deno.writeTextFile(join(dir, "repo", ".discord-token"), "fallback");
    await assert.rejects(
      resolveToken(inputs(dir, { env: { DISCORD_TOKEN_FILE: join(dir, "gone") } })),
      /DISCORD_TOKEN_FILE does not exist: .*gone/,
    );
  });
});
