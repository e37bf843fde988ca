// Loading a picked folder (theme/verifier/src/load.js): the ledger from `ledger/`, and from
// a picked bureau directory also its calendar files, which the deadlines are judged with
// (as `suiji verify` reads content/records/calendar/).
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromFiles } from "../../theme/verifier/src/load.js";

const file = (path, text) => ({ webkitRelativePath: path, name: path.split("/").pop(), arrayBuffer: async () => new TextEncoder().encode(text).buffer });

test("a picked bureau directory brings its calendar files; a picked ledger folder has none", async () => {
  const bureau = await fromFiles([
    file("局/ledger/ledger.jsonl", "{}\n"),
    file("局/ledger/checkpoint", "cp"),
    file("局/content/records/calendar/2026.toml", "year = 2026\n"),
    file("局/content/records/calendar/.DS_Store", "x"),
    file("局/content/records/calendar/old/2025.toml", "x"),
  ]);
  assert.deepEqual(Object.keys(bureau.calendars), ["2026.toml"]);
  assert.equal(new TextDecoder().decode(bureau.calendars["2026.toml"]), "year = 2026\n");
  assert.equal(new TextDecoder().decode(bureau.ledgerBytes), "{}\n");
  const ledger = await fromFiles([file("ledger/ledger.jsonl", "{}\n")]);
  assert.deepEqual(ledger.calendars, {});
});
