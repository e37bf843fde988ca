// drand beacons (docs/spec/08-beacons.md): chain facts, round times, and the BLS check of a
// round's signature from the values recorded in the ledger — no live fetch.
//
// The spec allows one scheme, `bls-unchained-g1-rfc9380` (signature in G1, key in G2,
// message SHA-256 of the round as 8 bytes big-endian); both chains it knows use it:
// drand's public quicknet and the demo chain `suiji-demo` (whose secret key is published).
import { bls12_381 } from "@noble/curves/bls12-381.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { SuijiError, canonicalize, fromHex, hex, taggedHash, utf8 } from "./encoding.js";

export const SCHEME = "bls-unchained-g1-rfc9380";
export const DST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_";
const MAX_INT = Number.MAX_SAFE_INTEGER;
const FACT_KEYS = ["name", "chain_hash", "public_key", "scheme", "genesis_time", "period"];

export const KNOWN = {
  "drand-quicknet": {
    name: "drand-quicknet",
    chain_hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    public_key:
      "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    scheme: SCHEME,
    genesis_time: 1692803367,
    period: 3,
  },
  "suiji-demo": {
    name: "suiji-demo",
    chain_hash: "ad49b66ebc0b4b9bc76e231391344722edd19c0cee7282132023b8644958a0cf",
    public_key:
      "8841e2a3c56cfc6415a92e0708d896cfe4ae942f82aa8c9a0f191f8accd2fdb85f8bec051cbb909c76470c8b4c3ff08a04c472bbe1864fc9cd04d5d4210f1ebb37c40687489a3ad4d1c84f305a56242af1ee21d30a2d5e6ffd2ed8fc34b519fb",
    scheme: SCHEME,
    genesis_time: 1735689600,
    period: 3,
  },
};
export const PUBLIC_CHAINS = ["drand-quicknet"];

function resolve(chain) {
  if (typeof chain === "string") {
    const facts = KNOWN[chain];
    if (!facts) throw new SuijiError("unknown-chain", `未知的信标链 ${chain}`);
    return facts;
  }
  return chain;
}

// --- vector kinds ---------------------------------------------------------------------

export function chainFacts({ chain }) {
  return { ...resolve(chain) };
}

export function demoChain({ secret_key_phrase, chain_hash_tag }) {
  const r = bls12_381.fields.Fr.ORDER;
  let n = 0n;
  for (const b of sha256(utf8(secret_key_phrase))) n = (n << 8n) | BigInt(b);
  const sk = n % r;
  const skHex = sk.toString(16).padStart(64, "0");
  const pk = hex(bls12_381.shortSignatures.getPublicKey(fromHex(skHex)).toBytes(true));
  const base = { name: "suiji-demo", public_key: pk, scheme: SCHEME, genesis_time: 1735689600, period: 3 };
  const input = canonicalize(base);
  const chainHash = hex(taggedHash(chain_hash_tag, utf8(input)));
  return {
    secret_key: skHex,
    chain_hash_input: input,
    facts: { name: base.name, chain_hash: chainHash, public_key: pk, scheme: SCHEME, genesis_time: base.genesis_time, period: base.period },
  };
}

function checkRound(round) {
  if (!Number.isInteger(round) || round < 1 || round > MAX_INT) {
    throw new SuijiError("round-out-of-range", `轮次 round 必须在 1..${MAX_INT} 之间，实际 ${round}`);
  }
}

export function roundTime({ chain, round }) {
  const c = resolve(chain);
  checkRound(round);
  return c.genesis_time + (round - 1) * c.period;
}

export function firstRoundAtOrAfter(c, t) {
  if (t <= c.genesis_time) return 1;
  return 1 + Math.ceil((t - c.genesis_time) / c.period);
}

export function firstRound({ chain, unix_time }) {
  return firstRoundAtOrAfter(resolve(chain), unix_time);
}

export function committedRound({ chain, commit_unix_time, delay }) {
  return firstRoundAtOrAfter(resolve(chain), commit_unix_time + delay + 1);
}

export function isPublicChain(facts) {
  if (!facts || typeof facts !== "object" || Array.isArray(facts)) return false;
  if (Object.keys(facts).length !== FACT_KEYS.length) return false;
  return PUBLIC_CHAINS.some((name) => FACT_KEYS.every((k) => facts[k] === KNOWN[name][k]));
}

export function publicChain({ facts }) {
  return isPublicChain(facts);
}

export function isDemoChain(facts) {
  if (!facts || typeof facts !== "object") return false;
  const d = KNOWN["suiji-demo"];
  return ["name", "chain_hash", "public_key"].some((k) => facts[k] === d[k]);
}

// --- BLS ------------------------------------------------------------------------------

export function roundMessage(round) {
  const b = new Uint8Array(8);
  let r = BigInt(round);
  for (let i = 7; i >= 0; i--) {
    b[i] = Number(r & 0xffn);
    r >>= 8n;
  }
  return sha256(b);
}

function hexBytes(value, length, what) {
  if (typeof value !== "string") throw new SuijiError("bad-hex", `${what}必须是十六进制字符串`);
  if (value.length !== length * 2) {
    throw new SuijiError("bad-length", `${what}长度应为 ${length} 字节（${length * 2} 位十六进制），实际 ${value.length} 位`);
  }
  if (!/^[0-9a-f]*$/.test(value)) throw new SuijiError("bad-hex", `${what}只能含小写十六进制字符 0-9a-f`);
  return fromHex(value);
}

const P = bls12_381.fields.Fp.ORDER;

// Decode a compressed point (G1: 48 bytes, G2: 96) with the error codes of the vectors.
function decodePoint(bytes, group) {
  const first = bytes[0];
  if (!(first & 0x80)) throw new SuijiError("not-a-point", "不是 BLS12-381 上的压缩点（压缩标志未置位）");
  if (first & 0x40) {
    const rest = bytes.slice();
    rest[0] &= 0x1f;
    if (rest.every((b) => b === 0) && !(first & 0x20)) throw new SuijiError("point-at-infinity", "是无穷远点，无效");
    throw new SuijiError("not-a-point", "无穷远标志与非零坐标同时出现：不是压缩点");
  }
  // every x coordinate (one for G1, two for G2) must be below p
  const size = 48;
  for (let off = 0; off < bytes.length; off += size) {
    let x = 0n;
    for (let i = off; i < off + size; i++) x = (x << 8n) | BigInt(i === 0 ? bytes[i] & 0x1f : bytes[i]);
    if (x >= P) throw new SuijiError("not-a-point", "坐标 x ≥ p：不是压缩点");
  }
  const Point = group === 1 ? bls12_381.G1.Point : bls12_381.G2.Point;
  let point;
  try {
    point = Point.fromBytes(bytes);
  } catch (e) {
    const msg = String(e && e.message);
    if (/torsion|subgroup|prime order/i.test(msg)) throw new SuijiError("not-in-subgroup", "点不在素数阶子群中，无效");
    throw new SuijiError("not-a-point", `不是 BLS12-381 G${group} 上的压缩点（${msg}）`);
  }
  if (point.is0()) throw new SuijiError("point-at-infinity", "是无穷远点，无效");
  if (!point.isTorsionFree()) throw new SuijiError("not-in-subgroup", "点不在素数阶子群中，无效");
  return point;
}

const pkCache = new Map();
function publicPoint(c) {
  let p = pkCache.get(c.public_key);
  if (!p) {
    p = decodePoint(hexBytes(c.public_key, 96, "公钥 public_key "), 2);
    pkCache.set(c.public_key, p);
  }
  return p;
}

// Check a round's signature; returns {randomness, message, round_time} or throws SuijiError.
export function verifyRound(chain, round, signatureHex) {
  const c = resolve(chain);
  if (c.scheme !== SCHEME) throw new SuijiError("scheme", `不支持的方案 ${c.scheme}；只支持 ${SCHEME}`);
  checkRound(round);
  const sig = hexBytes(signatureHex, 48, "签名 signature ");
  const sigPoint = decodePoint(sig, 1);
  const pk = publicPoint(c);
  const message = roundMessage(round);
  const short = bls12_381.shortSignatures;
  const h = short.hash(message, DST);
  let ok = false;
  try {
    ok = short.verify(sigPoint, h, pk);
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new SuijiError("signature-invalid", `信标 ${c.name} 第 ${round} 轮：签名验证失败（不是该链对该轮的签名）`);
  }
  return {
    randomness: hex(sha256(sig)),
    message: hex(message),
    round_time: c.genesis_time + (round - 1) * c.period,
  };
}

// Vector kind `verify`.
export function verify({ chain, round, signature }) {
  return verifyRound(chain, round, signature);
}

// The contract's entry point: true when the signature is the chain's for that round.
export function verifyBeacon(chainInfo, round, signatureHex) {
  try {
    verifyRound(chainInfo, round, signatureHex);
    return true;
  } catch {
    return false;
  }
}
