// Writes a realistic DCE export of N messages (~1 KB each) in DCE's layout, streaming, for benches.
//   deno run -A bench/archive/generate_archive.ts OUT.json COUNT [FIRST_INDEX] [CHANNEL_ID]
import { dceJson, realisticMessage } from "../../tests/fixtures/archive_fixture.ts";

const encoder = new TextEncoder();
const BASE_ID = 1_000_000_000_000_000_000n;

/** Message number n gets id BASE_ID + n * 4096 (19 digits, ascending with n). */
export function benchMessageId(n: number): bigint {
  return BASE_ID + BigInt(n) * 4096n;
}

export async function generateArchive(
  path: string,
  count: number,
  first = 0,
  channelId = "712345678901234567",
): Promise<number> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const header = `{
  "guild": {
    "id": "612345678901234567",
    "name": "Acme Devs",
    "iconUrl": "https://cdn.discordapp.com/icons/612345678901234567/8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d.png?size=512"
  },
  "channel": {
    "id": "${channelId}",
    "type": "GuildTextChat",
    "categoryId": "702345678901234567",
    "category": "Engineering",
    "name": "deployments",
    "topic": null
  },
  "dateRange": {
    "after": null,
    "before": null
  },
  "exportedAt": "2024-03-06T02:00:04.5176403+00:00",
  "messages": [`;
  let buf = header;
  let bytes = 0;
  const flush = async () => {
    const b = encoder.encode(buf);
    bytes += b.length;
    let off = 0;
    while (off < b.length) off += await file.write(b.subarray(off));
    buf = "";
  };
  for (let i = 0; i < count; i++) {
    const n = first + i;
    buf += (i === 0 ? "\n    " : ",\n    ") + dceJson(realisticMessage(benchMessageId(n), n), 2);
    if (buf.length > 1 << 20) await flush();
  }
  buf += count === 0 ? "],\n" : "\n  ],\n";
  buf += `  "messageCount": ${count}\n}`;
  await flush();
  return bytes;
}

if (import.meta.main) {
  const [out, count, first, channel] = Deno.args;
  if (!out || !count) {
    console.error("usage: generate_archive.ts OUT.json COUNT [FIRST_INDEX] [CHANNEL_ID]");
    Deno.exit(2);
  }
  const started = performance.now();
  const bytes = await generateArchive(out, Number(count), Number(first ?? 0), channel);
  const secs = (performance.now() - started) / 1000;
  console.error(`wrote ${out}: ${count} messages, ${bytes} bytes in ${secs.toFixed(1)} s`);
}
