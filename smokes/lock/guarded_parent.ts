// Smoke fixture: spawns `sleep` through spawnGuarded, prints the child's pid, then idles until killed.
import { spawnGuarded } from "../../lib/process/child_process.ts";

const seconds = Deno.args[0] ?? "120";
const noPdeathsig = Deno.args[1] === "no-pdeathsig";
const { pid, diesWithParent } = spawnGuarded("sleep", [seconds], {
  stdin: "null",
  stdout: "null",
  stderr: "null",
  noPdeathsig,
});
console.log(JSON.stringify({ pid, diesWithParent }));
// Keep the event loop busy without touching the spawning thread.
setInterval(() => {}, 1000);
