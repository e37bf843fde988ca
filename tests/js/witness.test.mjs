// tests/vectors/witness.json (docs/spec/19-witnesses.md), read unchanged, against witness.js:
// C2SP's own examples (cosignature line and message, add-checkpoint, tile names), the RFC
// 6962 reference proofs, a demo witness's cosignature that verifies, and the policy rules.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as witness from "../../theme/verifier/src/witness.js";
import { loadVectors, runVectors } from "./vectors.mjs";

const KINDS = ["cosignature_line", "cosignature_message", "add_checkpoint", "tile_path", "tile_widths", "inclusion", "consistency", "policy"];
const counts = runVectors("witness", witness, KINDS);

test("witness: every kind of the vector file is exercised", () => {
  assert.deepStrictEqual(Object.keys(counts).sort(), [...KINDS].sort());
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), loadVectors("witness").cases.length);
});

test("witness: a demo cosignature does not verify over another checkpoint or another time", async () => {
  const c = loadVectors("witness").cases.find((x) => x.id === "cosignature_line_demo_witness").input;
  assert.throws(() => witness.cosignatureLine({ ...c, checkpoint: c.checkpoint.replace("\n2\n", "\n3\n") }), (e) => e.code === "cosignature-invalid");
  const key = witness.parseVkey(c.vkey);
  const { parseNote } = await import("../../theme/verifier/src/checkpoint.js");
  const enc = new TextEncoder();
  const note = parseNote(enc.encode(`${c.checkpoint}\n${c.line}\n`));
  assert.equal(await witness.cosignedAt(note, key), 1773622860);
  const other = parseNote(enc.encode(`${c.checkpoint.replace("\n2\n", "\n3\n")}\n${c.line}\n`));
  assert.equal(await witness.cosignedAt(other, key), null, "a line over another checkpoint counts for nothing");
});
