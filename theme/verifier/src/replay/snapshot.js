// Committed registry snapshots (docs/spec/02-records.md §2.4) as rows keyed by the English
// aliases. The column-by-column validation is records.js's (`readSnapshot`, spec 02 vectors);
// a page may hand that reader in with `useSnapshotReader`. The object's hash is already
// checked, so these are the bytes the bureau committed; this reader applies spec 01's
// round-trip rule to every line and the header's row count.
import { parseCanonical, fromUtf8, SuijiError } from "../encoding.js";

let strictReader = null;

/** Use a strict reader (records.js `readSnapshot`: bytes → {record, header, rows}). */
export function useSnapshotReader(fn) {
  strictReader = fn;
}

export function readSnapshotRows(bytes) {
  if (strictReader) return strictReader(bytes).rows;
  return readLoose(bytes);
}

function readLoose(bytes) {
  const text = typeof bytes === "string" ? bytes : fromUtf8(bytes);
  if (!text.endsWith("\n")) throw new SuijiError("no-final-newline", "快照必须以换行符结尾");
  const lines = text.slice(0, -1).split("\n");
  const header = parseCanonical(lines[0]);
  const cols = header.columns;
  if (header.rows !== lines.length - 1) throw new SuijiError("row-count-mismatch", "快照行数不符");
  return lines.slice(1).map((line) => {
    const values = parseCanonical(line);
    const row = {};
    cols.forEach((c, i) => {
      row[c] = values[i];
    });
    return row;
  });
}
