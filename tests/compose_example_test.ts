// docker-compose.example.yml fits what run-scrape-host's compose backend does: the service it runs,
// the mounts it maps paths onto, every variable it hands over, and the Deno that ./dce pins.
import assert from "node:assert/strict";
import { join } from "node:path";

const root = join(import.meta.dirname ?? ".", "..");
const text = Deno.readTextFileSync(join(root, "docker-compose.example.yml"));

Deno.test("the example defines the service, mounts and variables the compose backend relies on", () => {
  assert.match(text, /^services:\n {2}discord-scraper:$/m);
  assert.match(text, /- \.\/config:\/config:ro$/m, "/config/<x> is <repo>/config/<x>");
  assert.match(text, /- \.\/logs:\/logs$/m, "/logs/<x> is <repo>/logs/<x>");
  assert.match(
    text,
    /\$\{DCE_ARCHIVE_ROOT[^}]*\}:\$\{DCE_ARCHIVE_ROOT\}/,
    "archive at the same path",
  );
  // What the runner writes into the compose env file (lib/host/host_run.ts composeEntries).
  for (
    const name of [
      "DISCORD_TOKEN",
      "DCE_UID",
      "DCE_GID",
      "DCE_USERNS_MODE",
      "DCE_CONTAINER_MEMORY",
      "DCE_STALE_TEMP_MIN_AGE_SECONDS",
      "DCE_SALVAGE_ACTIVE_TEMPS",
      "DCE_HEARTBEAT_SECONDS",
      "DCE_RUN_SUMMARY_JSON",
      "DCE_RUN_SUMMARY_FILE",
    ]
  ) {
    assert.ok(text.includes(`\${${name}`), `${name} reaches the container`);
  }
  assert.match(text, /scripts\/run-scrape\.ts/, "the container runs our scrape core");
});

Deno.test("the example's Deno image is the version ./dce pins", () => {
  const pinned = Deno.readTextFileSync(join(root, "dce")).match(/^DENO_VERSION=(\S+)$/m)?.[1];
  assert.ok(pinned);
  assert.match(
    text,
    new RegExp(`image: denoland/deno:debian-${pinned.replaceAll(".", "\\.")}$`, "m"),
  );
});
