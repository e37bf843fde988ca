// Genesis and kind rules of the replay on small synthetic ledgers (no signatures needed:
// the structural layer checks those before the replay runs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { replayLedger } from "../../theme/verifier/src/replay/index.js";
import { PUBLIC_CHAINS } from "../../theme/verifier/src/replay/chains.js";

const DEMO = {
  name: "suiji-demo",
  chain_hash: "ad49b66ebc0b4b9bc76e231391344722edd19c0cee7282132023b8644958a0cf",
  public_key:
    "8841e2a3c56cfc6415a92e0708d896cfe4ae942f82aa8c9a0f191f8accd2fdb85f8bec051cbb909c76470c8b4c3ff08a04c472bbe1864fc9cd04d5d4210f1ebb37c40687489a3ad4d1c84f305a56242af1ee21d30a2d5e6ffd2ed8fc34b519fb",
  scheme: "bls-unchained-g1-rfc9380",
  genesis_time: 1735689600,
  period: 3,
};

function genesis(body) {
  return { seq: 0, prev: "0".repeat(64), kind: "genesis", time: "2026-01-05T01:00:00Z", body: { draw_delay_seconds: 86400, ...body }, sigs: [{}, {}] };
}

async function codes(entries) {
  const r = await replayLedger({ entries, getObject: () => null, asOf: "2026-12-15T00:00:00Z" });
  return r.findings.map((f) => `${f.seq} ${f.tag} ${f.code}`);
}

test("replay genesis: a demo ledger may name the demo chain", async () => {
  assert.deepEqual(await codes([genesis({ demo: true, beacons: [DEMO] })]), []);
});

test("replay genesis: a real ledger naming the demo chain is demo-beacon", async () => {
  assert.deepEqual(await codes([genesis({ demo: false, beacons: [DEMO] })]), ["0 integrity demo-beacon"]);
});

test("replay genesis: a real ledger naming a chain off the allow-list is beacon-not-public", async () => {
  const own = { ...PUBLIC_CHAINS["drand-quicknet"], name: "county-chain", chain_hash: "1".repeat(64) };
  assert.deepEqual(await codes([genesis({ demo: false, beacons: [PUBLIC_CHAINS["drand-quicknet"], own] })]), ["0 integrity beacon-not-public"]);
});

test("replay genesis: a draw delay under 600 s is draw-delay", async () => {
  assert.deepEqual(await codes([genesis({ demo: false, beacons: [PUBLIC_CHAINS["drand-quicknet"]], draw_delay_seconds: 599 })]), ["0 integrity draw-delay"]);
});

test("replay kinds: an undefined kind and a second signature on a writer-only kind", async () => {
  const g = genesis({ demo: true, beacons: [DEMO] });
  const note = { seq: 1, prev: "0".repeat(64), kind: "note", time: "2026-01-06T00:00:00Z", body: {}, sigs: [{}] };
  const beacon = { seq: 2, prev: "0".repeat(64), kind: "beacon", time: "2026-01-06T00:00:00Z", body: { chain: "x", chain_hash: "2".repeat(64), round: 1, randomness: "0".repeat(64), signature: "00" }, sigs: [{}, {}] };
  assert.deepEqual(await codes([g, note, beacon]), ["1 integrity kind-unknown", "2 integrity signers-kind", "2 integrity beacon-chain"]);
});
