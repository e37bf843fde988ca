// tests/vectors/sealed.json (docs/spec/18-sealed.md), read unchanged, against replay/sealed.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as sealed from "../../theme/verifier/src/replay/sealed.js";
import { loadVectors, runVectors } from "./vectors.mjs";

const counts = runVectors("sealed", sealed, ["secret_hash", "parse_secret", "sealed_seed", "reveal_deadline", "order", "void_salt", "void_hash", "disclosures"]);

test("sealed: every kind of the vector file is exercised", () => {
  assert.deepStrictEqual(Object.keys(counts).sort(), ["disclosures", "order", "parse_secret", "reveal_deadline", "sealed_seed", "secret_hash", "void_hash", "void_salt"]);
  assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), loadVectors("sealed").cases.length);
});

test("sealed: the public seed of the vectors is draw.json's seed_with_extra", () => {
  const pub = loadVectors("sealed").cases.find((c) => c.id === "sealed_seed_bytes").input.public_seed;
  const draw = loadVectors("draw").cases.find((c) => c.id === "seed_with_extra");
  assert.equal(pub, draw.output.seed);
});
