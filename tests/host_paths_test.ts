// Host/container path mapping: config (docs/bash-suite.md#h7-lock-depends-on-the-config, docs/bash-suite.md#h24-config-divergence fixed) and summary file (docs/bash-suite.md#h29-summary-path-mapping fixed).
import assert from "node:assert/strict";
import {
  containerConfigPath,
  containerSummaryPath,
  hostSummaryPath,
} from "../lib/host/host_paths.ts";

Deno.test("containerConfigPath() only for configs under <root>/config", () => {
  assert.equal(containerConfigPath("/r/config/a.json", "/r"), "/config/a.json");
  assert.equal(containerConfigPath("/r/config/sub/b.json", "/r"), "/config/sub/b.json");
  assert.throws(
    () => containerConfigPath("/etc/a.json", "/r"),
    /outside \/r\/config.*--exporter cli/,
  );
  assert.throws(() => containerConfigPath("/r/configx/a.json", "/r"), /outside/);
});

Deno.test("summary paths: /logs/<x> on the host, sub-folders kept, outside logs/ → host only", () => {
  assert.equal(hostSummaryPath("/logs/s.json", "/r"), "/r/logs/s.json");
  assert.equal(hostSummaryPath("logs/a/s.json", "/r"), "/r/logs/a/s.json");
  assert.equal(
    containerSummaryPath("/r/logs/host-smoke-summary.json", "/r"),
    "/logs/host-smoke-summary.json",
  );
  assert.equal(containerSummaryPath("/r/logs/a/b/s.json", "/r"), "/logs/a/b/s.json");
  assert.equal(containerSummaryPath("/tmp/s.json", "/r"), null);
  assert.equal(containerSummaryPath("/r/logs", "/r"), null);
});
