// Counts the messages of a DCE export with the npm package @streamparser/json (for scanner_bench.ts).
// Run with --no-lock: the package is only measured, not a dependency (nothing is added to deno.lock).
// The specifier is built at run time so `deno check` does not fetch the package.
const spec = ["npm:@streamparser", "json@0.0.22"].join("/");
const { JSONParser } = await import(spec);
const path = Deno.args[0]!;
let count = 0;
let bytes = 0;
const parser = new JSONParser({ paths: ["$.messages.*"], keepStack: false });
parser.onValue = () => {
  count++;
};
const started = performance.now();
using file = await Deno.open(path, { read: true });
const buf = new Uint8Array(1 << 20);
for (;;) {
  const n = await file.read(buf);
  if (n === null) break;
  bytes += n;
  parser.write(buf.slice(0, n));
}
const ms = performance.now() - started;
console.log(JSON.stringify({ count, bytes, ms }));
