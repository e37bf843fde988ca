// Shared runner for the vector files (tests/vectors/README.md): a case of kind foo_bar
// calls the module's export fooBar(input) and compares output deep-equal, or the
// SuijiError code with the case's error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function loadVectors(area) {
  const file = JSON.parse(readFileSync(path.join(ROOT, "tests", "vectors", `${area}.json`), "utf8"));
  assert.equal(file.schema, "suiji/vectors/v1");
  assert.equal(file.area, area);
  return file;
}

function camel(kind) {
  return kind.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
}

/** Run every case of tests/vectors/<area>.json against module `mod`, kinds as listed. */
export function runVectors(area, mod, kinds) {
  const file = loadVectors(area);
  const sorted = [...kinds].sort((a, b) => b.length - a.length);
  for (const c of file.cases) {
    const kind = sorted.find((k) => c.id === k || c.id.startsWith(k + "_"));
    test(`${area}: ${c.id}`, async () => {
      assert.ok(kind, `no kind for case ${c.id}`);
      const fn = mod[camel(kind)];
      assert.equal(typeof fn, "function", `export ${camel(kind)} missing`);
      if ("error" in c) {
        await assert.rejects(
          async () => fn(c.input),
          (e) => {
            assert.equal(e.name, "SuijiError", `${c.id}: ${e.stack}`);
            assert.equal(e.code, c.error, `${c.id}: ${e.message}`);
            return true;
          },
        );
      } else {
        assert.deepEqual(await fn(c.input), c.output);
      }
    });
  }
}
