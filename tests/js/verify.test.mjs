// tests/vectors/verify.json, unchanged: kind `state` is state(input) in src/verifystate.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { state } from "../../theme/verifier/src/verifystate.js";

const file = JSON.parse(readFileSync(new URL("../vectors/verify.json", import.meta.url), "utf8"));
assert.equal(file.schema, "suiji/vectors/v1");
for (const c of file.cases) {
  test(c.id, () => {
    assert.ok(c.id.startsWith("state"));
    if ("error" in c) assert.throws(() => state(c.input), (e) => e.code === c.error);
    else assert.deepEqual(state(c.input), c.output);
  });
}
