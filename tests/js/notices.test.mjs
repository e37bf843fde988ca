import { test } from "node:test";
import assert from "node:assert/strict";
import * as notices from "../../theme/verifier/src/notices.js";
import { runVectors, loadVectors } from "./lib-vectors.mjs";

runVectors("notices", notices, ["normalize", "hash", "check", "codes_file"]);

test("the @noble/hashes fallback gives the WebCrypto hash (hash_* vectors)", async () => {
  for (const c of loadVectors("notices").cases.filter((c) => c.id.startsWith("hash_"))) {
    const { task, uscc, code, salt, iterations } = c.input;
    assert.equal(await notices.codeHash(task, uscc, code, salt, iterations, { webCrypto: false }), c.output.hash);
    assert.equal(notices.codeHashSync(task, uscc, code, salt, iterations), c.output.hash);
  }
});
