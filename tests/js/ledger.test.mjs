// tests/vectors/ledger.json, unchanged. test_key, object, cosignature and line are
// fooBar(input) in src/ledgervectors.js; `entries` (a ledger built with the test keys) is
// checked the other way round: its file must verify with no finding, and every hash,
// signed message, Merkle root and checkpoint given for it must be what the verifier computes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as v from "../../theme/verifier/src/ledgervectors.js";
import { decodeEntry, splitLines, verifyLedger } from "../../theme/verifier/src/ledger.js";
import { forceFallback } from "../../theme/verifier/src/ed25519.js";
import { hex, utf8 } from "../../theme/verifier/src/encoding.js";
import { MerkleFrontier, b64encode } from "../../theme/verifier/src/checkpoint.js";

const file = JSON.parse(readFileSync(new URL("../vectors/ledger.json", import.meta.url), "utf8"));
assert.equal(file.schema, "suiji/vectors/v1");
const entries = file.cases.find((c) => c.id === "entries").output;
const checkpointBody = entries.checkpoint.slice(0, entries.checkpoint.indexOf("\n\n") + 1);

for (const c of file.cases) {
  if (c.id === "entries") continue;
  const kind = ["test_key", "object", "cosignature", "line"].find((k) => c.id === k || c.id.startsWith(k + "_"));
  test(c.id, () => {
    const fn = { test_key: v.testKey, object: v.object, cosignature: v.cosignature, line: v.line }[kind];
    if ("error" in c) assert.throws(() => fn(c.input), (e) => e.code === c.error || assert.fail(`${e.code}: ${e.message}`));
    else assert.deepEqual(fn(c.input, checkpointBody), c.output);
  });
}

for (const noble of [false, true]) {
  test(`entries verify (${noble ? "noble" : "default"} Ed25519)`, async () => {
    forceFallback(noble);
    const r = await verifyLedger({
      ledgerBytes: utf8(entries.file),
      checkpointBytes: utf8(entries.checkpoint),
      getObject: async () => null,
      asOf: "2026-12-31T00:00:00Z",
    });
    forceFallback(false);
    assert.deepEqual(r.findings, []);
    assert.equal(r.root, entries.merkle_root_b64);
    assert.equal(r.size, entries.entries.length);
  });
}

test("entries hashes and messages", () => {
  const lines = splitLines(utf8(entries.file));
  const tree = new MerkleFrontier();
  entries.entries.forEach((e, i) => {
    assert.equal(new TextDecoder().decode(lines[i].data), e.line);
    assert.equal(lines[i].hash, e.entry_hash);
    assert.equal(hex(lines[i].leaf), e.merkle_leaf_hash);
    const d = decodeEntry(lines[i].data);
    assert.equal("suiji/entry-sig/v1\n" + new TextDecoder().decode(d.unsigned), e.entry_sig_message);
    tree.appendHash(lines[i].leaf);
  });
  assert.equal(b64encode(tree.root()), entries.merkle_root_b64);
});

test("a changed byte in the entries file is found", async () => {
  const bytes = utf8(entries.file);
  bytes[bytes.indexOf(utf8("1000000")[0], 200) + 0] ^= 1;
  const r = await verifyLedger({ ledgerBytes: bytes, checkpointBytes: utf8(entries.checkpoint), getObject: async () => null, asOf: "2026-12-31T00:00:00Z" });
  assert.ok(r.findings.length > 0);
});
