// The test command CI runs (through `./dce test`): unit tests, then every smoke, then one closing count.
import { join } from "node:path";

const root = join(import.meta.dirname ?? ".", "..");

async function streamed(args: string[]): Promise<{ code: number; output: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: root,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    await Deno.stdout.write(chunk);
    output += decoder.decode(chunk, { stream: true });
  }
  return { code: (await child.status).code, output };
}

function counts(output: string, pattern: RegExp): [number, number] {
  const all = [...output.matchAll(pattern)];
  const last = all.at(-1);
  return last ? [Number(last[1]), Number(last[2])] : [0, 0];
}

const unit = await streamed(["test", "--no-prompt", "-A", "tests/"]);
const [unitPassed, unitFailed] = counts(unit.output, /(\d+) passed.*?\| (\d+) failed/g);
const smoke = await streamed(["run", "--no-prompt", "-A", "scripts/run-all-smokes.ts"]);
const [smokePassed, smokeFailed] = counts(smoke.output, /^(\d+) passed, (\d+) failed$/gm);

// A runner that crashed before counting still fails the run.
const failed = unitFailed + smokeFailed + (unit.code !== 0 && unitFailed === 0 ? 1 : 0) +
  (smoke.code !== 0 && smokeFailed === 0 ? 1 : 0);
console.log(
  `unit tests: ${unitPassed} passed, ${unitFailed} failed; smokes: ${smokePassed} passed, ${smokeFailed} failed`,
);
console.log(`${unitPassed + smokePassed} passed, ${failed} failed`);
Deno.exit(failed === 0 ? 0 : 1);
