// Byte-order comparison and Rivest's consistent-sampler tickets (docs/spec/09-seed-and-targets.md §9.2).
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { hex, utf8 } from "../encoding.js";

/** Compare two strings by UTF-8 byte order (= code point order; UTF-16 order differs for astral characters). */
export function cmpBytes(a, b) {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      if (sx !== sy) return sx ? 1 : -1; // a surrogate (astral) sorts after any BMP character
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function sha256Hex(text) {
  return hex(nobleSha256(utf8(text)));
}

function ticketText(hexDigest) {
  const digits = BigInt("0x" + hexDigest).toString(10).padStart(64, "0");
  let rev = "";
  for (let i = digits.length - 1; i >= 0; i--) rev += digits[i];
  return "0." + rev;
}

/** A ticketing function for one seed: id → ticket (the seed's own hash is computed once). */
export function ticketer(seed) {
  const prefix = utf8(sha256Hex(seed));
  const cache = new Map();
  return (id) => {
    let t = cache.get(id);
    if (t === undefined) {
      const idb = utf8(id);
      const buf = new Uint8Array(prefix.length + idb.length);
      buf.set(prefix);
      buf.set(idb, prefix.length);
      t = ticketText(hex(nobleSha256(buf)));
      cache.set(id, t);
    }
    return t;
  };
}

/** The ticket of `id` under `seed` (§9.2). */
export function ticketOf(seed, id) {
  return ticketer(seed)(id);
}

function cmpTicket(a, b) {
  return a < b ? -1 : a > b ? 1 : 0; // tickets are ASCII: UTF-16 order = byte order
}

/** All ids by increasing (ticket, id). Ids must be distinct. */
export function orderIds(ids, seed) {
  const t = ticketer(seed);
  const pool = [...ids];
  if (new Set(pool).size !== pool.length) throw new Error("duplicate ids");
  const keyed = pool.map((id) => [t(id), id]);
  keyed.sort((x, y) => cmpTicket(x[0], y[0]) || cmpBytes(x[1], y[1]));
  return keyed.map((k) => k[1]);
}

/** The k lowest ids in ticket order (the first k of orderIds). */
export function selectLowest(ids, seed, k) {
  if (k <= 0) return [];
  return orderIds(ids, seed).slice(0, k);
}
