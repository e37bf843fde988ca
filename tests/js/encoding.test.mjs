import { test } from "node:test";
import assert from "node:assert/strict";
import * as enc from "../../theme/verifier/src/encoding.js";
import { runVectors } from "./vectors.mjs";

runVectors("encoding", enc, ["canonical_json", "parse_canonical", "tagged_hash", "match_key", "id_key"]);

test("encoding: round trip of canonical text with CJK and escapes", () => {
  const text = '{"a":"安全生产\\n","b":[0,9007199254740991,true,null,{}]}';
  assert.equal(enc.canonicalize(enc.parseCanonical(text)), text);
  assert.equal(enc.hex(enc.fromHex("00ff10")), "00ff10");
  assert.throws(() => enc.parseCanonical(new Uint8Array([0x5b, 0xff, 0x5d])), { code: "invalid-utf8" });
  assert.throws(() => enc.parseCanonical("\ufeff[]"), { code: "invalid-json" });
  assert.throws(() => enc.parseCanonical(""), { code: "invalid-json" });
  assert.equal(enc.hex(enc.taggedHash("suiji/object/v1", enc.utf8("abc"))).length, 64);
});
