// OutputTail/pumpToTail: bounded tail, last summary line, live pass-through; auth classification texts.
import assert from "node:assert/strict";
import { isAuthFailure } from "../lib/host/host_auth_failure.ts";
import { OutputTail, pumpToTail } from "../lib/host/host_output_tail.ts";
import { effectiveEnv } from "../lib/host/host_env.ts";
import { streamOf } from "./fixtures/helpers.ts";

Deno.test("pumpToTail() passes every byte through and splits lines across chunks", async () => {
  const tail = new OutputTail(3);
  const seen: string[] = [];
  const dec = new TextDecoder();
  await pumpToTail(
    streamOf(["a\nb", 'c\r\nDCE_JSON_SUMMARY: {"x":1}\nd\ne', "\nlast-no-newline"]),
    (chunk) => {
      seen.push(dec.decode(chunk));
      return Promise.resolve();
    },
    tail,
  );
  assert.equal(seen.join(""), 'a\nbc\r\nDCE_JSON_SUMMARY: {"x":1}\nd\ne\nlast-no-newline');
  assert.deepEqual(tail.lines(), ["d", "e", "last-no-newline"]);
  assert.equal(tail.summaryLine, 'DCE_JSON_SUMMARY: {"x":1}');
});

Deno.test("pumpToTail() drains to the end and keeps the tail when the sink fails (EIO, BrokenPipe)", async () => {
  const tail = new OutputTail();
  let calls = 0;
  await pumpToTail(
    streamOf(["a\n", "b\n", 'DCE_JSON_SUMMARY: {"n":1}\n']),
    () => {
      calls++;
      return Promise.reject(new Error("Input/output error (os error 5)"));
    },
    tail,
  );
  assert.equal(calls, 1, "a failed sink gets nothing more");
  assert.deepEqual(tail.lines(), ["a", "b", 'DCE_JSON_SUMMARY: {"n":1}']);
  assert.equal(tail.summaryLine, 'DCE_JSON_SUMMARY: {"n":1}');
});

Deno.test("OutputTail stays bounded however much passes through", async () => {
  const tail = new OutputTail(50);
  // 20× the bound is as telling as 2000× (the old 500 MB input only made the test heavy).
  const lines = Array.from({ length: 1_000 }, (_, i) => `line ${i} ${"x".repeat(5000)}\n`);
  await pumpToTail(streamOf(lines), () => Promise.resolve(), tail);
  assert.equal(tail.lines().length, 50);
  assert.ok(tail.lines().every((l) => l.length <= 2000));
  assert.match(tail.lines().at(-1) ?? "", /^line 999 /);
});

Deno.test("isAuthFailure() matches the contract texts only, never bare 401/403 digits (docs/bash-suite.md#h20-401-and-403-digits)", () => {
  assert.ok(isAuthFailure([
    "ERROR",
    "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Authentication token is invalid.",
  ]));
  assert.ok(isAuthFailure(["Request to 'channels/111' failed: forbidden."]));
  assert.ok(!isAuthFailure(["Exporting channel 1403401403 (401 messages, 403 KB)"]));
  assert.ok(!isAuthFailure(["HTTP 401 Unauthorized", "403 Forbidden"]));
  assert.ok(!isAuthFailure(["Target 'a' failed authenticated preflight on channel '5'."]));
  assert.ok(!isAuthFailure(["Request to 'channels/1/messages' failed: not found."]));
  assert.ok(!isAuthFailure(["Request to 'channels/1/messages?limit=1' failed: forbidden."]));
});

Deno.test("effectiveEnv(): a non-empty exported value beats the env file; empty exported does not", () => {
  const env = effectiveEnv(
    { A: "shell", B: "", C: "only-shell" },
    new Map([["A", "file"], ["B", "file-b"], ["D", "file-d"]]),
  );
  assert.deepEqual(env, { A: "shell", B: "file-b", C: "only-shell", D: "file-d" });
});
