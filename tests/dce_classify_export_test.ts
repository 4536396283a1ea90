import assert from "node:assert/strict";
import { classifyExport } from "../lib/dce/classify_export.ts";
import type { TailLine } from "../lib/dce/run_dce.ts";

const err = (...lines: string[]): TailLine[] => lines.map((line) => ({ stream: "stderr", line }));

Deno.test("classifyExport() exit 0 is ok whatever the output says", () => {
  assert.equal(
    classifyExport({ code: 0, signal: null, tail: err("failed: forbidden.") }).kind,
    "ok",
  );
});

Deno.test("classifyExport() 403/404 texts of 2.47 and older releases are access skips", () => {
  for (
    const line of [
      "general: Request to 'channels/111/messages?limit=1' failed: forbidden.",
      "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Request to 'channels/9' failed: not found.",
      "DiscordChatExporter.Domain.Exceptions.DiscordChatExporterException: Access is forbidden.",
      "x: Requested resource (channels/5) does not exist.",
    ]
  ) {
    assert.equal(
      classifyExport({ code: 1, signal: null, tail: err(line, "Export failed.") }).kind,
      "access",
      line,
    );
  }
});

Deno.test("classifyExport() does not use the bash suite's loose patterns (docs/bash-suite.md#h18-loose-skip-patterns)", () => {
  // "Missing Access" is never printed by DCE; room/zoom, 403 in ids, "Killed" in a name are not signals.
  for (
    const line of [
      "Missing Access",
      "zoom room",
      "channel 4031234 failed",
      "Killed it",
      "403 Forbidden",
    ]
  ) {
    const outcome = classifyExport({ code: 1, signal: null, tail: err(line) });
    assert.equal(outcome.kind, "failed", line);
  }
});

Deno.test("classifyExport() a full disk stops the run even when the exit code looks like an abort", () => {
  for (const code of [1, 134]) {
    const outcome = classifyExport({
      code,
      signal: null,
      tail: err("ERROR", "System.IO.IOException: No space left on device : '/out/x.json'"),
    });
    assert.equal(outcome.kind, "disk-full");
  }
});

Deno.test("classifyExport() an invalid token is its own outcome", () => {
  const outcome = classifyExport({
    code: 1,
    signal: null,
    tail: err(
      "ERROR",
      "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Authentication token is invalid.",
    ),
  });
  assert.equal(outcome.kind, "auth");
});

Deno.test("classifyExport() exit codes and signals: abort vs oom", () => {
  for (const code of [130, 143, 129]) {
    assert.equal(classifyExport({ code, signal: null, tail: [] }).kind, "aborted", String(code));
  }
  for (const code of [134, 137, 139]) {
    assert.equal(classifyExport({ code, signal: null, tail: [] }).kind, "oom", String(code));
  }
  assert.equal(classifyExport({ code: 143, signal: "SIGTERM", tail: [] }).kind, "aborted");
  assert.equal(classifyExport({ code: 137, signal: "SIGKILL", tail: [] }).kind, "oom");
  assert.equal(classifyExport({ code: 0, signal: null, tail: [], aborted: true }).kind, "aborted");
});

Deno.test("classifyExport() pre-2.45 empty-range errors mean no new messages", () => {
  for (
    const line of [
      "general: Channel 'general' of guild 'G' does not contain any messages within the specified period.",
      "general: Channel 'general' of guild 'G' does not contain any matching messages within the specified period.",
      "general: Channel is empty or contains no messages for the specified period.",
    ]
  ) {
    assert.equal(
      classifyExport({ code: 1, signal: null, tail: err(line, "Export failed.") }).kind,
      "empty-range",
    );
  }
});

Deno.test("classifyExport() matches stderr only: a channel NAME on stdout cannot fake a skip", () => {
  const tail: TailLine[] = [
    { stream: "stdout", line: "Request to 'x' failed: forbidden.: 100%" },
    { stream: "stderr", line: "System.Net.Http.HttpRequestException: Name or service not known" },
  ];
  const outcome = classifyExport({ code: 1, signal: null, tail });
  assert.equal(outcome.kind, "network");
  assert.match(outcome.kind === "network" ? outcome.reason : "", /Name or service not known/);
});

Deno.test("classifyExport() a DCE cancelled by SIGINT (ERROR dump, exit 1) is an abort, not a failure", () => {
  for (
    const tail of [
      err("ERROR", "System.OperationCanceledException: The operation was canceled.", "   at X.Y()"),
      err(
        "ERROR",
        "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Failed to export message #5 in channel 'a' (#1) of guild 'G (#2)'.",
        "    System.Threading.Tasks.TaskCanceledException: A task was canceled.",
      ),
    ]
  ) {
    const outcome = classifyExport({ code: 1, signal: null, tail });
    assert.equal(outcome.kind, "aborted");
    assert.equal(outcome.kind === "aborted" ? outcome.exitCode : 0, 1);
  }
  // The HttpClient timeout is a TaskCanceledException too, but a network failure.
  const timeout = err(
    "ERROR",
    "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.",
  );
  assert.equal(classifyExport({ code: 1, signal: null, tail: timeout }).kind, "network");
});

Deno.test("classifyExport() a forum channel (listed by `channels`, not exportable itself) is its own skip", () => {
  const line =
    "Engineering / ideas: Channel 'ideas' of guild 'G' is a forum and cannot be exported directly. You need to pull its threads and export them individually.";
  assert.equal(
    classifyExport({
      code: 1,
      signal: null,
      tail: err("Failed to export the following channel(s):", line, "Export failed."),
    }).kind,
    "forum",
  );
});

Deno.test("classifyExport() DCE's give-up texts for the network and 5xx/429/408 are 'network' (transient)", () => {
  for (
    const lines of [
      [
        "System.Net.Http.HttpRequestException: Name or service not known (discord.com:443)",
        "    System.Net.Sockets.SocketException (00000001, 11): Name or service not known",
      ],
      [
        "System.Threading.Tasks.TaskCanceledException: The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.",
      ],
      [
        "DiscordChatExporter.Core.Exceptions.DiscordChatExporterException: Request to 'channels/1/messages?limit=100' failed: service unavailable.",
        "Response content: upstream",
      ],
      ["x: Request to 'channels/1' failed: too many requests."],
      ["x: Request to 'channels/1' failed: bad gateway."],
    ]
  ) {
    assert.equal(classifyExport({ code: 1, signal: null, tail: err(...lines) }).kind, "network");
  }
  // A bad request is not transient, and neither is a cooperative cancel (SIGINT).
  assert.equal(
    classifyExport({ code: 1, signal: null, tail: err("x: Request to 'a' failed: bad request.") })
      .kind,
    "failed",
  );
  assert.equal(
    classifyExport({
      code: 1,
      signal: null,
      tail: err("System.Threading.Tasks.TaskCanceledException: A task was canceled."),
    }).kind,
    "aborted",
  );
});
