// The ledger vector kinds (tests/vectors/ledger.json) as functions of their `input`, for
// node --test. They use only the published TEST keys (seeds of 32 repeated bytes).
import { fromHex, hex, utf8 } from "./encoding.js";
import { publicFromSeed, signWithSeed } from "./ed25519.js";
import { b64encode, noteKeyId } from "./checkpoint.js";
import { keyId } from "./keys.js";
import { objectId } from "./ledger.js";

export { line } from "./ledger.js";

const ORIGIN = "example.gov.cn/suiji-test";
const SEEDS = { root1: 0x01, root2: 0x02, signing: 0x03, signing2: 0x04, witness: 0x05 };
const seedOf = (name) => new Uint8Array(32).fill(SEEDS[name]);

export function testKey({ seed_hex }) {
  const pub = publicFromSeed(fromHex(seed_hex));
  const vkey = new Uint8Array(33);
  vkey[0] = 0x01;
  vkey.set(pub, 1);
  return {
    public_key_b64: b64encode(pub),
    public_key_hex: hex(pub),
    key_id: keyId(pub),
    note_vkey_for_origin: `${ORIGIN}+${hex(noteKeyId(ORIGIN, pub))}+${b64encode(vkey)}`,
  };
}

export function object({ data_utf8 }) {
  return { object_id: objectId(utf8(data_utf8)) };
}

// The witness cosignature of the `entries` case's checkpoint (c2sp.org/tlog-cosignature).
export function cosignature({ witness_name, witness_key, timestamp }, checkpointBody) {
  const seed = seedOf(witness_key);
  const pub = publicFromSeed(seed);
  const id = noteKeyId(witness_name, pub, 0x04);
  const message = `cosignature/v1\ntime ${timestamp}\n` + checkpointBody;
  const sig = signWithSeed(seed, utf8(message));
  const ts = new Uint8Array(8);
  new DataView(ts.buffer).setBigUint64(0, BigInt(timestamp));
  const blob = new Uint8Array(4 + 8 + 64);
  blob.set(id, 0);
  blob.set(ts, 4);
  blob.set(sig, 12);
  return { key_id: hex(id), signed_message: message, signature_line: `\u2014 ${witness_name} ${b64encode(blob)}\n` };
}
