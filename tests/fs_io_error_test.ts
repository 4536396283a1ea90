import assert from "node:assert/strict";
import { UserError } from "../lib/cli/errors.ts";
import { ioStep, isDiskFull, operatorIoError } from "../lib/fs/io_error.ts";

Deno.test("operatorIoError: operator-fixable OS errors become one line naming the step and path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/file`;
    await Deno.writeTextFile(file, "");
    await assert.rejects(
      ioStep("create the output folder", `${file}/x`, () => Deno.mkdir(`${file}/x`)),
      (err: unknown) =>
        err instanceof UserError &&
        err.message ===
          `Cannot create the output folder ${file}/x: a file is where a folder should be; move it away or fix output_dir.`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const full = new Error("No space left on device (os error 28): write '/x'");
  assert.ok(isDiskFull(full));
  assert.match(
    (operatorIoError(full, "write", "/x") as Error).message,
    /^Cannot write \/x: no space left on device; free some space and rerun\./,
  );
});

Deno.test("operatorIoError: bugs and unknown errors pass through unchanged", () => {
  const bug = new TypeError("x is undefined");
  assert.equal(operatorIoError(bug, "write", "/x"), bug);
  const odd = new Deno.errors.Interrupted("interrupted");
  assert.equal(operatorIoError(odd, "write", "/x"), odd);
  assert.ok(!isDiskFull(bug));
});
