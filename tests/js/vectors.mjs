// Runs a vector file (tests/vectors/<area>.json, read unchanged) against a module: each
// case's kind `foo_bar` is the exported function `fooBar(input)` (docs: tests/vectors/README.md).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export function loadVectors(area) {
  const file = JSON.parse(readFileSync(`${ROOT}tests/vectors/${area}.json`, "utf8"));
  assert.equal(file.schema, "suiji/vectors/v1");
  return file;
}

export function camel(kind) {
  return kind.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Register one node test per case; `kinds` lists the area's kinds (longest first wins). */
export function runVectors(area, mod, kinds) {
  const file = loadVectors(area);
  const sorted = [...kinds].sort((a, b) => b.length - a.length);
  const counts = {};
  for (const c of file.cases) {
    const kind = sorted.find((k) => c.id === k || c.id.startsWith(`${k}_`));
    assert.ok(kind, `case ${c.id}: unknown kind`);
    counts[kind] = (counts[kind] ?? 0) + 1;
    const fn = mod[camel(kind)];
    test(`${area}: ${c.id}`, () => {
      assert.equal(typeof fn, "function", `no export ${camel(kind)}`);
      if ("error" in c) {
        assert.throws(() => fn(c.input), (e) => {
          assert.equal(e.code, c.error, `${e.code}: ${e.message}`);
          return true;
        });
      } else {
        assert.deepStrictEqual(fn(c.input), c.output);
      }
    });
  }
  return counts;
}
export { ROOT };
