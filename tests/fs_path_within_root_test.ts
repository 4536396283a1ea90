import assert from "node:assert/strict";
import { join } from "node:path";
import {
  isLexicallyWithin,
  isPhysicallyWithin,
  physicalPath,
  stripTrailingSlashes,
} from "../lib/fs/path_within_root.ts";

Deno.test("isLexicallyWithin() follows the bash rule", () => {
  assert.equal(isLexicallyWithin("/r", "/r"), true);
  assert.equal(isLexicallyWithin("/r/a/b", "/r"), true);
  assert.equal(isLexicallyWithin("/ra", "/r"), false);
  assert.equal(isLexicallyWithin("/r/../x", "/r"), false);
  assert.equal(isLexicallyWithin("/r/./x", "/r"), false);
  assert.equal(isLexicallyWithin("/r/x/..", "/r"), false);
  assert.equal(isLexicallyWithin("r/x", "/r"), false);
  assert.equal(isLexicallyWithin("/anything", "/"), true);
});

Deno.test("stripTrailingSlashes() keeps the root", () => {
  assert.equal(stripTrailingSlashes("/a/b//"), "/a/b");
  assert.equal(stripTrailingSlashes("/"), "/");
});

Deno.test("physicalPath() resolves the existing part and keeps the missing tail", async () => {
  const dir = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(join(dir, "real"));
    await Deno.symlink(join(dir, "real"), join(dir, "link"));
    assert.equal(await physicalPath(join(dir, "link", "x", "y")), join(dir, "real", "x", "y"));
    assert.equal(await isPhysicallyWithin(join(dir, "link", "x"), join(dir, "real")), true);
    assert.equal(await isPhysicallyWithin(join(dir, "link"), join(dir, "other")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
