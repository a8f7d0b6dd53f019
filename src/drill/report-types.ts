import type { PairReadiness } from "../readiness/render.js";

/** One line of a drill's timeline, relative to the drill's start. */
export interface TimelineEntry {
  atMs: number;
  event: string;
  state: string;
  detail: string;
}

export interface Expectation {
  name: string;
  passed: boolean;
  detail: string;
}

/** A phase of the failover or failback, for the SVG timeline. */
export interface Phase {
  /** What happened, e.g. "restore standby", "verify cutover", "failback: restore primary". */
  name: string;
  kind: "detection" | "backup" | "restore" | "verification" | "dns" | "operator" | "failback";
  startMs: number;
  endMs: number;
}

/** A `stage` step: what the instance serving traffic holds at that point of the scenario. */
export interface StageResult {
  name: string;
  atMs: number;
  active: "primary" | "standby";
  /** The newest revision any instance reached while it served traffic. */
  newestRevision: number;
  activeRevision: number;
  dataLossChanges: number;
  maxDataLoss: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  passed: boolean;
  expectations: Expectation[];
  /** When the outage began, from the drill's start; null when the scenario injected none. */
  outageAtMs: number | null;
  /** Outage start → first failover decision; null when nothing was detected. */
  detectionMs: number | null;
  /** Outage start → CNAME on the standby and the standby verified; null without a failover. */
  rtoMs: number | null;
  /** Primary revisions missing on the standby after failover; with stages, the sum over the stages. */
  dataLossChanges: number | null;
  stages: StageResult[];
  /** The controller's readiness checks at the end of the scenario. */
  readiness?: PairReadiness | null;
  restores: number;
  dnsChanges: number;
  finalState: string;
  activeRegion: string;
  durationMs: number;
  phases: Phase[];
  timeline: TimelineEntry[];
  /** Set when the scenario could not run to its end (the error a user sees). */
  error?: string;
}

export interface DrillReport {
  passed: boolean;
  startedAt: string;
  durationMs: number;
  scenarios: ScenarioResult[];
}
