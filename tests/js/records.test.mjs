import * as records from "../../theme/verifier/src/records.js";
import { runVectors } from "./lib-vectors.mjs";

runVectors("records", records, ["snapshot_rows", "clerk_csv", "parse_snapshot", "date", "result_categories", "item_findings"]);

import { test } from "node:test";
import assert from "node:assert/strict";

test("CSV bytes: BOM UTF-8, plain UTF-8, else GB18030", () => {
  const gbk = new Uint8Array([0xd6, 0xd0, 0xce, 0xc4, 0x2c, 0x61]); // 中文,a in GBK
  assert.equal(records.decodeCsv(gbk), "中文,a");
  assert.equal(records.decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, 0x61])), "a");
  assert.deepEqual(records.parseCsv('a,"b ""c""",\r\n1,2,3\n'), [["a", 'b "c"', ""], ["1", "2", "3"]]);
});

test("a row is active on a day until its 退出日期", () => {
  const row = { status: "在册", retired_on: "2026-03-01" };
  assert.equal(records.activeOn("enterprises", row, "2026-02-28"), true);
  assert.equal(records.activeOn("enterprises", row, "2026-03-01"), false);
  assert.equal(records.activeOn("recusals", {}, "2026-03-01"), true);
});
