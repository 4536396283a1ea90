import assert from "node:assert/strict";
import { parseListing } from "../lib/dce/parse_listing.ts";
import { channelsArgv, dceEnv, exportArgv } from "../lib/dce/dce_cli_argv.ts";

Deno.test("parseListing() guilds: padded ids, names with separators kept whole", () => {
  const text = "0                   | Direct Messages\n" +
    "1234567890123456789 | Acme | Devs / Ops\n" +
    "222                 | Fixture Guild\n\nNote: something\n";
  assert.deepEqual(parseListing(text), [
    { id: "0", name: "Direct Messages", isThread: false },
    { id: "1234567890123456789", name: "Acme | Devs / Ops", isThread: false },
    { id: "222", name: "Fixture Guild", isThread: false },
  ]);
});

Deno.test("parseListing() channels with thread lines (status after the LAST separator)", () => {
  const text = "712345678901234567 | Engineering / deployments\n" +
    " * 1214000000000000001 | Thread / rollout | 42 | Active\n" +
    " * 12130000000000002   | Thread / hotfix | Archived\r\n";
  assert.deepEqual(parseListing(text), [
    { id: "712345678901234567", name: "Engineering / deployments", isThread: false },
    {
      id: "1214000000000000001",
      name: "Thread / rollout | 42",
      isThread: true,
      threadStatus: "Active",
    },
    { id: "12130000000000002", name: "Thread / hotfix", isThread: true, threadStatus: "Archived" },
  ]);
});

Deno.test("argv: token never in argv, --after only with a cursor, booleans spelled out", () => {
  assert.deepEqual(exportArgv("111", "/t/export.json"), [
    "export",
    "--channel",
    "111",
    "--format",
    "Json",
    "--output",
    "/t/export.json",
  ]);
  assert.deepEqual(exportArgv("111", "/o.json", "999").slice(-2), ["--after", "999"]);
  assert.deepEqual(channelsArgv("5", false, "all"), [
    "channels",
    "--guild",
    "5",
    "--include-vc",
    "false",
    "--include-threads",
    "all",
  ]);
  const env = dceEnv({ PATH: "/bin", DISCORD_TOKEN: "old" }, "new");
  assert.equal(env.DISCORD_TOKEN, "new");
  assert.equal(env.FUCK_RUSSIA, "true");
  assert.equal(dceEnv({ DISCORD_TOKEN: "x" }, undefined).DISCORD_TOKEN, undefined);
});
