import * as draw from "../../theme/verifier/src/replay/draw.js";
import { runVectors } from "./vectors.mjs";

runVectors("draw", draw, ["ticket", "seed", "order", "allocation", "stratified", "items", "extra_value"]);
