// Beacon chains as the replay needs them (docs/spec/08-beacons.md): the allow-list, the demo
// chain, and round ↔ time arithmetic. BLS signatures are checked by src/bls.js.
// docs/spec/08-beacons.md §8.1.1: the only chain a non-demo ledger may name, by all six facts.
export const PUBLIC_CHAINS = {
  "drand-quicknet": {
    name: "drand-quicknet",
    chain_hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key:
      "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    scheme: "bls-unchained-g1-rfc9380",
    genesis_time: 1692803367,
    period: 3,
  },
};
// The demo chain's secret key is public (§8.1.2): naming, hashing or keying it marks a demo chain.
const DEMO_FACTS = {
  name: "suiji-demo",
  chain_hash: "ad49b66ebc0b4b9bc76e231391344722edd19c0cee7282132023b8644958a0cf",
  public_key:
    "8841e2a3c56cfc6415a92e0708d896cfe4ae942f82aa8c9a0f191f8accd2fdb85f8bec051cbb909c76470c8b4c3ff08a04c472bbe1864fc9cd04d5d4210f1ebb37c40687489a3ad4d1c84f305a56242af1ee21d30a2d5e6ffd2ed8fc34b519fb",
};
const FACT_KEYS = ["name", "chain_hash", "public_key", "scheme", "genesis_time", "period"];
export const isDemoChain = (f) => ["name", "chain_hash", "public_key"].some((k) => f[k] === DEMO_FACTS[k]);
export const isPublicChain = (f) =>
  Object.values(PUBLIC_CHAINS).some((p) => FACT_KEYS.every((k) => f[k] === p[k]) && Object.keys(f).length === FACT_KEYS.length);

/** Chain facts → round arithmetic (§8.2). */
export function roundTime(chain, round) {
  return chain.genesis_time + (round - 1) * chain.period;
}
export function firstRoundAfter(chain, t) {
  const u = t + 1;
  if (u <= chain.genesis_time) return 1;
  return 1 + Math.ceil((u - chain.genesis_time) / chain.period);
}

