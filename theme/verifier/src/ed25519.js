// Ed25519 signature checks (RFC 8032) for the ledger, its checkpoint and cosignatures.
//
// WebCrypto's Ed25519 is used where the browser has it (fast, native). Many browsers a
// visitor may use do not (WeChat's built-in browser, older Android, any page served over
// plain http, where crypto.subtle is absent), so the same check runs with the bundled
// @noble/curves. Both verify strictly (RFC 8032 cofactorless, canonical S and A), like the
// Python reference, so the verdict never depends on which one ran. `forceFallback(true)`
// (or `?noble=1` in the page's address) makes every check use @noble/curves, for tests.
import { ed25519 } from "@noble/curves/ed25519.js";

let forced = false;
let probe = null; // Promise<boolean>: does WebCrypto verify Ed25519 here?

export function forceFallback(on = true) {
  forced = !!on;
}

// RFC 8032 §7.1 test 1: the empty message. Used to probe WebCrypto once.
const T_PUB = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
const T_SIG =
  "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

function bytes(h) {
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
  return out;
}

function subtle() {
  const c = globalThis.crypto;
  return c && c.subtle ? c.subtle : null;
}

async function webCryptoWorks() {
  const s = subtle();
  if (!s) return false;
  try {
    const key = await s.importKey("raw", bytes(T_PUB), { name: "Ed25519" }, false, ["verify"]);
    const ok = await s.verify({ name: "Ed25519" }, key, bytes(T_SIG), new Uint8Array(0));
    const bad = bytes(T_SIG);
    bad[0] ^= 1;
    const notOk = await s.verify({ name: "Ed25519" }, key, bad, new Uint8Array(0));
    return ok === true && notOk === false;
  } catch {
    return false;
  }
}

// Which implementation checks signatures: "webcrypto" or "noble".
export async function backend() {
  if (forced) return "noble";
  if (probe === null) probe = webCryptoWorks();
  return (await probe) ? "webcrypto" : "noble";
}

const keyCache = new Map(); // hex public key -> Promise<CryptoKey|null>

function hexOf(b) {
  let s = "";
  for (let i = 0; i < b.length; i++) s += b[i].toString(16).padStart(2, "0");
  return s;
}

// Points of small order and non-canonical encodings: WebCrypto implementations differ on
// these; noble (zip215: false) and OpenSSL reject them. Checking S < L and the key with
// noble first makes both paths give one verdict.
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
function canonicalS(sig) {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]);
  return s < L;
}

function nobleVerify(publicKey, signature, message) {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

const goodKeys = new Map(); // hex -> boolean (valid, not small order)
function keyOk(publicKey, h) {
  let ok = goodKeys.get(h);
  if (ok === undefined) {
    try {
      const p = ed25519.Point.fromBytes(publicKey, false);
      ok = !p.isSmallOrder();
    } catch {
      ok = false;
    }
    goodKeys.set(h, ok);
  }
  return ok;
}

// verify(publicKey 32 bytes, signature 64 bytes, message bytes) -> Promise<boolean>
export async function verify(publicKey, signature, message) {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const which = await backend();
  if (which === "noble") return nobleVerify(publicKey, signature, message);
  const h = hexOf(publicKey);
  if (!canonicalS(signature) || !keyOk(publicKey, h)) return false;
  let key = keyCache.get(h);
  if (!key) {
    key = subtle()
      .importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"])
      .catch(() => null);
    keyCache.set(h, key);
  }
  const k = await key;
  if (!k) return false;
  try {
    return await subtle().verify({ name: "Ed25519" }, k, signature, message);
  } catch {
    return false;
  }
}

// For the test vectors (published test keys only): public key and deterministic signature.
export function publicFromSeed(seed) {
  return ed25519.getPublicKey(seed);
}
export function signWithSeed(seed, message) {
  return ed25519.sign(message, seed);
}
