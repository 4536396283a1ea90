// The layer rule of lib/README.md: a lib/ folder imports only from folders of a lower layer.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const LAYERS: string[][] = [
  ["cli"],
  ["fs"],
  ["process"],
  ["config"],
  ["lock", "archive"],
  ["dce"],
  ["scrape"],
  ["host"],
  ["ops"],
];
const libDir = join(import.meta.dirname ?? ".", "..", "lib");

function layerOf(folder: string): number {
  const index = LAYERS.findIndex((names) => names.includes(folder));
  if (index < 0) {
    throw new Error(`lib/${folder}/ is in no layer: add it to lib/README.md and this test`);
  }
  return index;
}

/** Relative import specifiers of a source text (static, dynamic and type-only imports, re-exports). */
export function importSpecifiers(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g);
  return [...found].map((match) => match[1]!);
}

/** Every import of a file under lib/ that points at the same or a higher layer's other folder. */
export function layerViolations(file: string, source: string): string[] {
  const from = relative(libDir, file).split("/")[0]!;
  const bad: string[] = [];
  for (const spec of importSpecifiers(source)) {
    const target = relative(libDir, normalize(join(dirname(file), spec)));
    const to = target.split("/")[0]!;
    if (target.startsWith("..") || to === from || !target.includes("/")) continue;
    if (layerOf(to) >= layerOf(from)) {
      bad.push(`lib/${relative(libDir, file)} imports lib/${target}`);
    }
  }
  return bad;
}

async function libFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) files.push(...await libFiles(path));
    else if (entry.name.endsWith(".ts")) files.push(path);
  }
  return files;
}

Deno.test("every lib/ folder is in a layer, and imports go only to lower layers", async () => {
  const violations: string[] = [];
  for await (const entry of Deno.readDir(libDir)) if (entry.isDirectory) layerOf(entry.name);
  for (const file of await libFiles(libDir)) {
    violations.push(...layerViolations(file, await Deno.readTextFile(file)));
  }
  assertEquals(violations, []);
});

Deno.test("the layer check catches an upward import, a peer import and a dynamic one", () => {
  const scrape = join(libDir, "scrape", "x.ts");
  assertEquals(layerViolations(scrape, `import { a } from "../host/host_run.ts";`), [
    "lib/scrape/x.ts imports lib/host/host_run.ts",
  ]);
  assertEquals(
    layerViolations(join(libDir, "lock", "x.ts"), `export { b } from "../archive/mod.ts";`),
    ["lib/lock/x.ts imports lib/archive/mod.ts"],
  );
  assertEquals(layerViolations(scrape, `await import("../ops/demo.ts")`), [
    "lib/scrape/x.ts imports lib/ops/demo.ts",
  ]);
  assertEquals(layerViolations(scrape, `import type { C } from "../config/scrape_config.ts";`), []);
});
