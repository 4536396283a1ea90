// docs/tools.md is generated from ./dce's tool index and each tool's exported --help; it must be current.
import assert from "node:assert/strict";
import { join } from "node:path";
import { toolIndex, toolsDoc } from "../scripts/gen-tools-doc.ts";

const root = join(import.meta.dirname ?? ".", "..");

Deno.test("./dce's tool index lists every scripts/*.ts exactly once", async () => {
  const listed = toolIndex(await Deno.readTextFile(join(root, "dce")))
    .flatMap((g) => g.tools.map((t) => t.name)).sort();
  const scripts = [...Deno.readDirSync(join(root, "scripts"))]
    .filter((e) => e.name.endsWith(".ts")).map((e) => e.name.slice(0, -3)).sort();
  assert.deepEqual(listed, scripts);
});

Deno.test("every tool exports its usage text", async () => {
  for (const entry of Deno.readDirSync(join(root, "scripts"))) {
    const module = await import(join(root, "scripts", entry.name));
    assert.equal(typeof module.USAGE, "string", entry.name);
    assert.match(module.USAGE, /^Usage:/, entry.name);
  }
});

Deno.test("docs/tools.md is up to date (run ./dce gen-tools-doc)", async () => {
  const current = await Deno.readTextFile(join(root, "docs", "tools.md")).catch(() => "");
  assert.ok(
    current === (await toolsDoc(root)),
    "docs/tools.md is out of date: ./dce gen-tools-doc",
  );
});
