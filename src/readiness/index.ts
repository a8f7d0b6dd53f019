export { CHECKS, runChecks } from "./checks.js";
export { readFacts, type ControllerKnowledge, type ReadinessPorts } from "./reader.js";
export { sharedForOneRound } from "./round-reads.js";
export { overall, pairReadiness, readinessSummary, renderReadiness, type PairReadiness } from "./render.js";
export { CHECK_NAMES, type CheckName, type CheckResult, type ReadinessFacts, type ReadinessStatus } from "./types.js";
