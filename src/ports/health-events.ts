/** What health evaluation tells the failover machine: the contract between src/health and src/machine. */
export type HealthEventType =
  | "health.primarySuspect"
  | "health.primaryUnhealthy"
  | "health.primaryHealthy"
  | "health.standbyUnhealthy"
  | "health.standbyHealthy"
  | "health.bothUnhealthy"
  | "health.observerImpaired";

export interface HealthEvent {
  type: HealthEventType;
  reason: string;
  /** ms since epoch, stamped by the runtime from the Clock. */
  at: number;
}
