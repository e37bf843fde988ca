// Run the browser verifier's code under node on a bureau directory and print its report
// (the `suiji verify --json` members both implementations must agree on) as JSON.
//   node tests/js/conformance-run.mjs BUREAU_DIR AS_OF [noble]
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { verifyLedger } from "../../theme/verifier/src/ledger.js";
import { forceFallback } from "../../theme/verifier/src/ed25519.js";

const [dir, asOf, which] = process.argv.slice(2);
if (which === "noble") forceFallback(true);
const ledger = join(dir, "ledger");
const read = (p) => (existsSync(p) ? new Uint8Array(readFileSync(p)) : null);
// the bureau's calendar files, which `suiji verify` judges the deadlines with
const calendarDir = join(dir, "content", "records", "calendar");
const calendars = existsSync(calendarDir) ? Object.fromEntries(readdirSync(calendarDir).filter((n) => !n.startsWith(".")).map((n) => [n, read(join(calendarDir, n))])) : {};
const r = await verifyLedger({
  calendars,
  ledgerBytes: read(join(ledger, "ledger.jsonl")),
  checkpointBytes: read(join(ledger, "checkpoint")),
  getObject: async (oid) => read(join(ledger, "objects", oid)),
  cosignatures: existsSync(join(ledger, "cosignatures"))
    ? readdirSync(join(ledger, "cosignatures"))
        .sort()
        .map((name) => ({ name, bytes: read(join(ledger, "cosignatures", name)) }))
        .filter((f) => f.bytes)
    : [],
  asOf,
  allowDemo: true,
});
const { ok, size, genesis, root, checkpoint_size, findings } = r;
console.log(JSON.stringify({ ok, size, genesis, root, checkpoint_size, findings }));
