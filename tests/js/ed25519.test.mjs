// WebCrypto and the bundled @noble/curves give one verdict, also on the edge cases where
// Ed25519 implementations differ (non-canonical S, small-order keys): both must reject
// them, as the Python reference (OpenSSL) does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { backend, forceFallback, publicFromSeed, signWithSeed, verify } from "../../theme/verifier/src/ed25519.js";

const seed = new Uint8Array(32).fill(3);
const pub = publicFromSeed(seed);
const msg = new TextEncoder().encode("suiji/entry-sig/v1\n{}");
const sig = signWithSeed(seed, msg);
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function withSPlusL(s) {
  const out = s.slice();
  let carry = 0n;
  let add = L;
  for (let i = 32; i < 64; i++) {
    const v = BigInt(out[i]) + (add & 0xffn) + carry;
    out[i] = Number(v & 0xffn);
    carry = v >> 8n;
    add >>= 8n;
  }
  return out;
}

// the identity point (y = 1): a key of small order
const smallOrder = new Uint8Array(32);
smallOrder[0] = 1;

for (const noble of [false, true]) {
  test(`verdicts (${noble ? "noble" : "default"})`, async () => {
    forceFallback(noble);
    assert.equal(await backend(), noble ? "noble" : "webcrypto");
    assert.equal(await verify(pub, sig, msg), true);
    const flipped = sig.slice();
    flipped[5] ^= 1;
    assert.equal(await verify(pub, flipped, msg), false);
    assert.equal(await verify(pub, withSPlusL(sig), msg), false);
    assert.equal(await verify(smallOrder, new Uint8Array(64), msg), false);
    assert.equal(await verify(pub.slice(0, 31), sig, msg), false);
    forceFallback(false);
  });
}
