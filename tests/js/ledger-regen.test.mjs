// The `entries` ledger vector regenerated, not only verified: from the vector's input
// (origin, genesis_prev), the published test keys (the test_key cases' seeds) and each
// entry's unsigned content, the browser verifier's own primitives rebuild every signature,
// line, entry hash, chain link, Merkle root and the signed checkpoint byte for byte (Ed25519
// signatures are deterministic). The entries' bodies and times are not in the input — they
// are the generator's choices (tests/test_ledger.py) — so they are taken from the lines.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { canonicalize, concatBytes, fromHex, hex, sha256, utf8 } from "../../theme/verifier/src/encoding.js";
import { signWithSeed, publicFromSeed } from "../../theme/verifier/src/ed25519.js";
import { MerkleFrontier, b64encode, leafHash, noteKeyId } from "../../theme/verifier/src/checkpoint.js";
import { testKey } from "../../theme/verifier/src/ledgervectors.js";

const file = JSON.parse(readFileSync(new URL("../vectors/ledger.json", import.meta.url), "utf8"));
const entriesCase = file.cases.find((c) => c.id === "entries");
const keys = new Map(
  file.cases
    .filter((c) => c.id.startsWith("test_key_"))
    .map((c) => [testKey(c.input).key_id, { name: c.input.name, seed: fromHex(c.input.seed_hex) }]),
);
const concat = concatBytes;

test("entries: every line, signature, hash, link, the Merkle root and the checkpoint regenerate", () => {
  const { origin, genesis_prev: genesisPrev } = entriesCase.input;
  const out = entriesCase.output;
  let prev = genesisPrev;
  const tree = new MerkleFrontier();
  const lines = [];
  out.entries.forEach((vec, seq) => {
    const given = JSON.parse(vec.line);
    const unsigned = { body: given.body, kind: given.kind, prev, seq, time: given.time };
    if (seq === 0) assert.equal(given.body.origin, origin);
    const entryMessage = concat(utf8("suiji/entry-sig/v1\n"), utf8(canonicalize(unsigned)));
    const bodyMessage = concat(utf8("suiji/body-sig/v1\n"), utf8(canonicalize(given.body)));
    // writer keys (signing, signing2) sign the whole entry; root keys sign the body
    const sigs = given.sigs.map(({ key }) => {
      const k = keys.get(key);
      assert.ok(k, `test key ${key}`);
      const message = k.name.startsWith("signing") ? entryMessage : bodyMessage;
      return { key, sig: b64encode(signWithSeed(k.seed, message)) };
    });
    const line = canonicalize({ ...unsigned, sigs });
    assert.equal(line, vec.line, `line ${seq}`);
    assert.equal(new TextDecoder().decode(entryMessage), vec.entry_sig_message);
    assert.equal(new TextDecoder().decode(bodyMessage), vec.body_sig_message);
    const hash = hex(sha256(concat(utf8("suiji/entry/v1\n"), utf8(line))));
    assert.equal(hash, vec.entry_hash);
    assert.equal(hex(leafHash(utf8(line))), vec.merkle_leaf_hash);
    tree.appendHash(leafHash(utf8(line)));
    lines.push(line);
    prev = hash;
  });
  assert.equal(lines.map((l) => l + "\n").join(""), out.file);
  const root = b64encode(tree.root());
  assert.equal(root, out.merkle_root_b64);
  // the checkpoint: a C2SP signed note by signing2 over "origin\nsize\nroot\n"
  const signer = [...keys.values()].find((k) => k.name === "signing2");
  const body = `${origin}\n${lines.length}\n${root}\n`;
  const id = noteKeyId(origin, publicFromSeed(signer.seed));
  assert.equal(hex(id), out.checkpoint_note_key_id);
  const sig = b64encode(concat(id, signWithSeed(signer.seed, utf8(body))));
  assert.equal(`${body}\n\u2014 ${origin} ${sig}\n`, out.checkpoint);
});
