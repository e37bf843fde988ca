import * as records from "../../theme/verifier/src/records.js";
import { runVectors } from "./lib-vectors.mjs";

runVectors("records", records, ["snapshot_rows", "clerk_csv", "parse_snapshot", "date", "result_categories", "item_findings"]);
