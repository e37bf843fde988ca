import * as uscc from "../../theme/verifier/src/uscc.js";
import { runVectors } from "./lib-vectors.mjs";

runVectors("uscc", uscc, ["validate", "check_char", "org_check_char", "legacy_regno"]);
