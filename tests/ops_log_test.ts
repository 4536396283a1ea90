import assert from "node:assert/strict";
import { join } from "node:path";
import { UserError } from "../lib/cli/errors.ts";
import { OpsLog, screenWriter } from "../lib/ops/ops_log.ts";
import { runChild } from "../lib/ops/run_child.ts";

const clock = () => new Date("2026-01-02T03:04:05.678Z");

function capture() {
  const screen = { out: "", err: "" };
  return {
    screen,
    opts: {
      clock,
      stdout: (t: string) => void (screen.out += t),
      stderr: (t: string) => void (screen.err += t),
    },
  };
}

Deno.test("OpsLog tees lines to the screen and APPENDS them, UTC-stamped, to the log", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "nested", "run.log");
    await Deno.mkdir(join(dir, "nested"));
    await Deno.writeTextFile(path, "earlier run\n");
    const { screen, opts } = capture();
    {
      using log = await OpsLog.open(path, opts);
      log.out("plan line");
      log.err("WARN: something");
      log.step("BEGIN: step");
    }
    assert.equal(screen.out, "plan line\n[2026-01-02T03:04:05Z] BEGIN: step\n");
    assert.equal(screen.err, "WARN: something\n");
    assert.equal(
      await Deno.readTextFile(path),
      "earlier run\n[2026-01-02T03:04:05Z] plan line\n[2026-01-02T03:04:05Z] WARN: something\n" +
        "[2026-01-02T03:04:05Z] BEGIN: step\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("OpsLog creates a missing log folder and refuses symlinks, folders and unwritable places", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { opts } = capture();
    using created = await OpsLog.open(join(dir, "a", "b", "x.log"), opts);
    created.out("x");
    assert.ok((await Deno.stat(join(dir, "a", "b", "x.log"))).isFile);

    await Deno.writeTextFile(join(dir, "victim"), "keep");
    await Deno.symlink(join(dir, "victim"), join(dir, "link.log"));
    await assert.rejects(
      () => OpsLog.open(join(dir, "link.log"), opts),
      (e: unknown) => e instanceof UserError && /is a symlink/.test(e.message),
    );
    assert.equal(await Deno.readTextFile(join(dir, "victim")), "keep");
    await assert.rejects(() => OpsLog.open(dir, opts), /is not a regular file/);
    await Deno.writeTextFile(join(dir, "file"), "");
    await assert.rejects(
      () => OpsLog.open(join(dir, "file", "x.log"), opts),
      (e: unknown) => e instanceof UserError && /Cannot create log folder/.test(e.message),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runChild() streams the child's stdout and stderr lines into the log and returns its code", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { screen, opts } = capture();
    using log = await OpsLog.open(join(dir, "l.log"), opts);
    const code = await runChild(log, "sh", [
      "-c",
      "echo one; echo two >&2; printf 'crlf\\r\\n'; printf tail; exit 3",
    ]);
    assert.equal(code, 3);
    assert.equal(screen.out, "one\ncrlf\ntail\n");
    assert.equal(screen.err, "two\n");
    const logged = await Deno.readTextFile(join(dir, "l.log"));
    for (const line of ["one", "two", "crlf", "tail"]) {
      assert.match(logged, new RegExp(`^\\[2026-01-02T03:04:05Z\\] ${line}$`, "m"));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runChild() turns a command that cannot start into one UserError", async () => {
  const { opts } = capture();
  using log = await OpsLog.open(undefined, opts);
  await assert.rejects(
    () => runChild(log, "/nonexistent/tool", [], { label: "tool" }),
    (e: unknown) => e instanceof UserError && /^Cannot start tool/.test(e.message),
  );
});

Deno.test("runChild() with baseEnv gives the child exactly the workflow's environment plus extras", async () => {
  const { screen, opts } = capture();
  using log = await OpsLog.open(undefined, opts);
  Deno.env.set("DCE_OPS_TEST_LEAK", "leaked");
  try {
    const code = await runChild(log, "/bin/sh", ["-c", 'echo "$A|$B|${DCE_OPS_TEST_LEAK:-none}"'], {
      baseEnv: { A: "from-workflow", B: "base", UNSET: undefined },
      env: { B: "extra" },
    });
    assert.equal(code, 0);
    assert.equal(screen.out, "from-workflow|extra|none\n");
  } finally {
    Deno.env.delete("DCE_OPS_TEST_LEAK");
  }
});

Deno.test("screenWriter() drops the screen after a failed write (BrokenPipe, a hung-up terminal's EIO)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    let calls = 0;
    const gone = screenWriter({
      writeSync: () => {
        calls++;
        throw new Error("Input/output error (os error 5)");
      },
    });
    const path = join(dir, "w.log");
    using log = await OpsLog.open(path, { clock, stdout: gone, stderr: gone });
    log.out("first");
    log.err("second");
    assert.equal(calls, 1, "nothing more is tried after the first failure");
    assert.equal(
      await Deno.readTextFile(path),
      "[2026-01-02T03:04:05Z] first\n[2026-01-02T03:04:05Z] second\n",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
