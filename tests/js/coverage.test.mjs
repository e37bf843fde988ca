import * as coverage from "../../theme/verifier/src/replay/coverage.js";
import { runVectors } from "./vectors.mjs";

runVectors("coverage", coverage, ["by_chance", "exclusions"]);
