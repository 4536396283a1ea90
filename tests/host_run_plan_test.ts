// formatRunPlan() and containerMemoryFor(): the plan block (docs/workflows.md#run-plans) and the single-target memory rule.
import assert from "node:assert/strict";
import { containerMemoryFor, formatRunPlan, type PlanTarget } from "../lib/host/run_plan.ts";

const targets: PlanTarget[] = [
  { name: "a", outputDir: "/r/a", enabled: true, containerMemory: "4g" },
  { name: "b", outputDir: "/r/b", enabled: false },
  { name: "c", outputDir: "/r/c", enabled: true },
];

Deno.test("formatRunPlan() lists selected targets with memory, unknown names with an empty dir", () => {
  assert.deepEqual(formatRunPlan("Host scrape", "/cfg.json", targets, ["a", "b", "zz"]), [
    "=== Host scrape run plan ===",
    "Config: /cfg.json",
    "Targets (3 selected):",
    "  - a \u2192 /r/a (container_memory: 4g)",
    "  - b \u2192 /r/b",
    "  - zz \u2192 ",
  ]);
});

Deno.test("formatRunPlan() without a selection lists enabled targets only, no memory suffix", () => {
  assert.deepEqual(formatRunPlan("Documents scrape", "/cfg.json", targets), [
    "=== Documents scrape run plan ===",
    "Config: /cfg.json",
    "Targets (2 enabled, all will run):",
    "  - a \u2192 /r/a",
    "  - c \u2192 /r/c",
  ]);
});

Deno.test("containerMemoryFor(): global non-zero wins, else the single target's, else 0", () => {
  assert.equal(containerMemoryFor("2g", targets, ["a"]), "2g");
  assert.equal(containerMemoryFor(undefined, targets, ["a"]), "4g");
  assert.equal(containerMemoryFor("0", targets, ["a"]), "4g");
  assert.equal(containerMemoryFor(" ", targets, ["a"]), "4g");
  assert.equal(containerMemoryFor(undefined, targets, ["a", "c"]), "0");
  assert.equal(containerMemoryFor(undefined, targets, []), "0");
  assert.equal(containerMemoryFor(undefined, targets, ["c"]), "0");
});
