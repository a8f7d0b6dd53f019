/** Azure Resource Health's verdict on one resource (`availabilityStatuses/current`), as plain data. */
export interface ResourceAvailability {
  state: "Available" | "Unavailable" | "Degraded" | "Unknown";
  /** e.g. `Unplanned`, `Planned`, `UserInitiated`; only while not Available. */
  reasonType?: string;
  /** e.g. `PlatformInitiated`, `UserInitiated`. */
  cause?: string;
  /** When the current state began, ISO-8601 UTC. */
  occurredAt?: string;
  summary: string;
}

export interface ResourceHealthPort {
  currentAvailability(resourceId: string, signal?: AbortSignal): Promise<ResourceAvailability>;
  /**
   * Every resource of one resource group in one read (`availabilityStatuses` of the group), by lower-case resource
   * id. Optional: a port without it is read per resource.
   */
  availabilityInGroup?(subscriptionId: string, resourceGroup: string, signal?: AbortSignal): Promise<Map<string, ResourceAvailability>>;
}
