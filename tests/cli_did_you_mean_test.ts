// "Did you mean": the closest known word within a third of the typo's letters, never a far guess.
import assert from "node:assert/strict";
import { closest, didYouMean, editDistance } from "../lib/cli/did_you_mean.ts";
import { elapsed } from "../lib/scrape/export_heartbeat.ts";

Deno.test("editDistance(): insertions, deletions, substitutions, and a swap counts once", () => {
  assert.equal(editDistance("scrape", "scrape"), 0);
  assert.equal(editDistance("scarpe", "scrape"), 1);
  assert.equal(editDistance("enable", "enabled"), 1);
  assert.equal(editDistance("guild_id", "guild_ids"), 1);
  assert.equal(editDistance("kitten", "sitting"), 3);
});

Deno.test("closest(): near misses get a suggestion, unrelated words none", () => {
  const keys = ["enabled", "guild_ids", "include_threads", "name"];
  assert.equal(closest("enable", keys), "enabled");
  assert.equal(closest("include_thread", keys), "include_threads");
  assert.equal(closest("disabled", keys), undefined, "3 edits from 'enabled' is not a typo");
  assert.equal(closest("zzz", keys), undefined);
  assert.equal(didYouMean("nam", keys), " Did you mean 'name'?");
  assert.equal(didYouMean("foo", keys), "");
});

Deno.test("elapsed(): seconds, then minutes, then hours", () => {
  assert.equal(elapsed(45_000), "45s");
  assert.equal(elapsed(185_000), "3m 05s");
  assert.equal(elapsed(7_620_000), "2h 07m");
});
