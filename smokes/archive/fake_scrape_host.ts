// A stand-in for scripts/run-scrape-host.ts in prove-incremental-append smokes: records its argv and
// changes one archive as FAKE_SCRAPE_MODE says (append | shrink | remove | create | fail | partial | hang | none).
const mode = Deno.env.get("FAKE_SCRAPE_MODE") ?? "none";
const file = Deno.env.get("FAKE_SCRAPE_FILE") ?? "";
const argvFile = Deno.env.get("FAKE_SCRAPE_ARGV");
if (argvFile) await Deno.writeTextFile(argvFile, JSON.stringify(Deno.args));

function doc(ids: string[], channel: string): string {
  const messages = ids.map((id) => ({ id, timestamp: "2024-01-01T00:00:00Z", content: id }));
  return JSON.stringify(
    { guild: { id: "1", name: "g" }, channel: { id: channel }, messages },
    null,
    2,
  );
}

const channelOf = (p: string) => /\[([0-9]+)\]\.json$/.exec(p)?.[1] ?? "0";
switch (mode) {
  case "append": {
    const current = JSON.parse(await Deno.readTextFile(file));
    const ids: string[] = current.messages.map((m: { id: string }) => m.id);
    ids.push(String(Number(ids.at(-1) ?? 0) + 1));
    await Deno.writeTextFile(file, doc(ids, current.channel.id));
    break;
  }
  case "shrink":
    await Deno.writeTextFile(file, doc(["1", "2"], channelOf(file)));
    break;
  case "remove":
    await Deno.remove(file);
    break;
  case "create":
    await Deno.writeTextFile(file, doc(["1"], channelOf(file)));
    break;
  case "hang": {
    // Waits for a signal, records it (FAKE_SCRAPE_SIGNAL_FILE) and exits 128 + n like the real runner.
    const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
    for (const [signal, code] of Object.entries(codes)) {
      Deno.addSignalListener(signal as Deno.Signal, () => {
        Deno.writeTextFileSync(Deno.env.get("FAKE_SCRAPE_SIGNAL_FILE") ?? "/dev/null", signal);
        Deno.exit(code);
      });
    }
    const pidFile = Deno.env.get("FAKE_SCRAPE_PID_FILE");
    if (pidFile) Deno.writeTextFileSync(pidFile, String(Deno.pid));
    console.log("fake runner: waiting for a signal");
    await new Promise(() => {});
    break;
  }
  case "fail":
    console.error("fake runner: failing as asked");
    Deno.exit(5);
    break;
  case "partial":
    // Finished, some channels not exported (exit 3): the archives it did touch are still proven.
    console.error("FAILED: channel 712345678901234999 of target 'demo': as asked");
    Deno.exit(3);
}
console.log(`fake run-scrape-host ${Deno.args.join(" ")}`);
