import * as teams from "../../theme/verifier/src/replay/teams.js";
import { loadVectors, runVectors } from "./vectors.mjs";

// `void` and `teams_error` cases name a `draw` case by id: the module looks it up.
teams.registerCases(loadVectors("teams").cases);
runVectors("teams", teams, ["role_seed", "replacement_seed", "draw", "teams_error", "void"]);
