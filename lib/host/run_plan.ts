// The "=== <label> run plan ===" block (docs/workflows.md#run-plans) and the single-target container-memory rule.

/** What the plan needs of a target; TargetConfig from lib/config satisfies it. */
export interface PlanTarget {
  name: string;
  outputDir: string;
  enabled: boolean;
  containerMemory?: string;
}

/**
 * Lines of the plan. With selected names: `Targets (<n> selected):` and one line each, a memory
 * suffix when the target has `container_memory`, an empty output dir for an unknown name. Without:
 * `Targets (<n> enabled, all will run):` and one line per enabled target (no memory suffix).
 * The arrow is U+2192, as the bash suite prints it.
 */
export function formatRunPlan(
  label: string,
  configPath: string,
  targets: readonly PlanTarget[],
  selected: readonly string[] = [],
): string[] {
  const lines = [`=== ${label} run plan ===`, `Config: ${configPath}`];
  if (selected.length > 0) {
    lines.push(`Targets (${selected.length} selected):`);
    for (const name of selected) {
      const target = targets.find((t) => t.name === name);
      const memory = target?.containerMemory
        ? ` (container_memory: ${target.containerMemory})`
        : "";
      lines.push(`  - ${name} \u2192 ${target?.outputDir ?? ""}${memory}`);
    }
  } else {
    const enabled = targets.filter((t) => t.enabled);
    lines.push(`Targets (${enabled.length} enabled, all will run):`);
    for (const target of enabled) lines.push(`  - ${target.name} \u2192 ${target.outputDir}`);
  }
  return lines;
}

/**
 * The container memory cap for a run: a set, non-zero `current` (DCE_CONTAINER_MEMORY) always wins;
 * otherwise, when exactly one target is selected and it has `container_memory`, that; else "0".
 */
export function containerMemoryFor(
  current: string | undefined,
  targets: readonly PlanTarget[],
  selected: readonly string[],
): string {
  const global = current?.trim() ?? "";
  if (global !== "" && global !== "0") return global;
  if (selected.length === 1) {
    const memory = targets.find((t) => t.name === selected[0])?.containerMemory;
    if (memory) return memory;
  }
  return "0";
}
