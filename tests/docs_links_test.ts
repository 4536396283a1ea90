// Every reference into docs/ resolves: markdown links, `docs/<file>.md#<anchor>` in code and prose,
// and `docs/<file>.md §<anchor>`; and nothing points at a file outside the repository.
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(import.meta.dirname ?? ".", "..");

/** What is scanned: the README, the docs and every folder of code, tests and tools. */
const SCANNED = ["README.md", "docs", "lib", "scripts", "smokes", "tests", "bench", "dce", ".ci"];
const TEXT_FILE = /\.(ts|md|sh|json)$|^(dce|run)$/;

/** Specification files this repository once pointed at; they are not in it. Split so this file is clean. */
const OUTSIDE = [
  "../" + "shared",
  "original" + "-suite",
  "lock-" + "protocol.md",
  "dce-cli-" + "contract",
];
const SECTION = "\u00a7";

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replaceAll(" ", "-");
}

/** The anchors of a markdown text's headings (outside fenced code), numbered as GitHub numbers repeats. */
export function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    found.add(count === 0 ? base : `${base}-${count}`);
  }
  return found;
}

async function filesUnder(path: string): Promise<string[]> {
  const full = join(root, path);
  const info = await Deno.stat(full).catch(() => null);
  if (info === null) return [];
  if (info.isFile) return [full];
  const files: string[] = [];
  for await (const entry of Deno.readDir(full)) {
    if (entry.name.startsWith(".") && entry.name !== ".ci") continue;
    const child = join(path, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(child));
    else if (entry.isFile && TEXT_FILE.test(entry.name)) files.push(join(root, child));
  }
  return files;
}

const anchorCache = new Map<string, Set<string> | null>();
async function anchorsOf(file: string): Promise<Set<string> | null> {
  if (!anchorCache.has(file)) {
    const text = await Deno.readTextFile(file).catch(() => null);
    anchorCache.set(file, text === null ? null : anchors(text));
  }
  return anchorCache.get(file)!;
}

/** Why `target` (a file, optionally with `#anchor`) does not resolve, or null when it does. */
async function problem(target: string, anchor: string | undefined): Promise<string | null> {
  const exists = await Deno.stat(target).then(() => true, () => false);
  if (!exists) return `${relative(root, target)} does not exist`;
  if (anchor === undefined || anchor === "" || !target.endsWith(".md")) return null;
  const known = await anchorsOf(target);
  if (known?.has(anchor.toLowerCase())) return null;
  return `${relative(root, target)} has no heading #${anchor}`;
}

/** Every unresolved reference of one file, as `<file>:<line>: <reason>`. */
export async function brokenReferences(file: string, text: string): Promise<string[]> {
  const broken: string[] = [];
  const report = (index: number, reason: string) => {
    const line = text.slice(0, index).split("\n").length;
    broken.push(`${relative(root, file)}:${line}: ${reason}`);
  };
  if (file.endsWith(".md")) {
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const [path, anchor] = m[1]!.split("#", 2) as [string, string | undefined];
      if (/^[a-z]+:/.test(path)) continue;
      const target = path === "" ? file : resolve(dirname(file), path);
      const why = await problem(target, anchor);
      if (why) report(m.index, `link ${m[1]}: ${why}`);
    }
  }
  for (const m of text.matchAll(/(?<![\w/.-])docs\/([\w.-]+\.md)(?:#([\w-]+)| \u00a7([\w-]+))?/g)) {
    const why = await problem(join(root, "docs", m[1]!), m[2] ?? m[3]);
    if (why) report(m.index, `${m[0]}: ${why}`);
  }
  for (const m of text.matchAll(new RegExp(SECTION, "g"))) {
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    if (!/docs\/[\w.-]+\.md $/.test(before)) {
      report(m.index, `${SECTION} must follow a docs file: write docs/<file>.md#<anchor>`);
    }
  }
  return broken;
}

Deno.test("slug() and anchors() follow GitHub's heading anchors", () => {
  assertEquals(slug('How "held" is decided'), "how-held-is-decided");
  assertEquals(slug("H24: config divergence"), "h24-config-divergence");
  assertEquals(slug("`scrape-lock-status` and --json"), "scrape-lock-status-and---json");
  assertEquals([...anchors("# A\n```\n# not a heading\n```\n## A\n### B c\n")], [
    "a",
    "a-1",
    "b-c",
  ]);
});

Deno.test("a broken link, docs reference or stray section sign is reported", async () => {
  const file = join(root, "docs", "probe.md");
  const text = "[ok](lock.md#release) [bad](lock.md#no-such) [gone](nowhere.md)\n" +
    "see docs/lock.md#reclaim, docs/lock.md §reclaim, docs/lock.md#nope and " + SECTION + "14.7\n";
  assertEquals(await brokenReferences(file, text), [
    "docs/probe.md:1: link lock.md#no-such: docs/lock.md has no heading #no-such",
    "docs/probe.md:1: link nowhere.md: docs/nowhere.md does not exist",
    "docs/probe.md:2: docs/lock.md#nope: docs/lock.md has no heading #nope",
    `docs/probe.md:2: ${SECTION} must follow a docs file: write docs/<file>.md#<anchor>`,
  ]);
});

Deno.test("every link and docs reference in the repository resolves", async () => {
  const broken: string[] = [];
  for (const path of SCANNED) {
    for (const file of await filesUnder(path)) {
      if (file === join(root, "tests", "docs_links_test.ts")) continue;
      broken.push(...await brokenReferences(file, await Deno.readTextFile(file)));
    }
  }
  assertEquals(broken, []);
});

Deno.test("nothing refers to a file outside the repository", async () => {
  const found: string[] = [];
  for (const path of SCANNED) {
    for (const file of await filesUnder(path)) {
      const text = await Deno.readTextFile(file);
      for (const name of OUTSIDE) {
        if (text.includes(name)) found.push(`${relative(root, file)}: ${name}`);
      }
    }
  }
  assertEquals(found, []);
});

/** The tool list `./dce --help` prints, from the launcher's `# BEGIN TOOLS` … `# END TOOLS` block. */
function launcherToolList(launcher: string): string {
  const lines = launcher.split("\n");
  const block = lines.slice(lines.indexOf("# BEGIN TOOLS") + 1, lines.indexOf("# END TOOLS"));
  return block.map((line) => {
    const text = line.replace(/^# /, "");
    return text.startsWith("## ") ? `${text.slice(3)}:` : `  ${text}`;
  }).join("\n");
}

Deno.test("the README's tool table is the list ./dce --help prints", async () => {
  const readme = await Deno.readTextFile(join(root, "README.md"));
  const section = readme.slice(readme.indexOf("## The tools"));
  const table = /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  assertEquals(table, launcherToolList(await Deno.readTextFile(join(root, "dce"))));
});
