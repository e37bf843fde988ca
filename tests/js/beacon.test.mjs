// tests/vectors/beacon.json, unchanged: each kind foo_bar is fooBar(input) in src/bls.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as bls from "../../theme/verifier/src/bls.js";

const file = JSON.parse(readFileSync(new URL("../vectors/beacon.json", import.meta.url), "utf8"));
assert.equal(file.schema, "suiji/vectors/v1");
const KINDS = ["chain_facts", "demo_chain", "verify", "round_time", "first_round", "committed_round", "public_chain"];
const camel = (k) => k.replace(/_([a-z])/g, (_, c) => c.toUpperCase());

for (const c of file.cases) {
  const kind = KINDS.find((k) => c.id === k || c.id.startsWith(k + "_"));
  test(c.id, () => {
    assert.ok(kind, `unknown kind for ${c.id}`);
    const fn = bls[camel(kind)];
    if ("error" in c) {
      assert.throws(() => fn(c.input), (e) => e.code === c.error || assert.fail(`${e.code}: ${e.message}`));
    } else {
      assert.deepEqual(fn(c.input), c.output);
    }
  });
}
