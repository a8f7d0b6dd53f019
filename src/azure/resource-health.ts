import type { TokenCredential } from "@azure/core-auth";
import { MicrosoftResourceHealth, type AvailabilityStatus } from "@azure/arm-resourcehealth";
import type { ResourceAvailability, ResourceHealthPort } from "../ports/resource-health.js";
import { armClientOptions, type ClientSettings } from "./client-options.js";
import { azureCall } from "./errors.js";
import { subscriptionOf } from "./resource-id.js";

export interface ResourceHealthAdapterOptions {
  credential: TokenCredential;
  client: ClientSettings;
}

const STATES = ["Available", "Unavailable", "Degraded", "Unknown"] as const;

/** ResourceHealthPort on `MicrosoftResourceHealth` (@azure/arm-resourcehealth 4, api-version 2022-10-01). */
export class AzureResourceHealthAdapter implements ResourceHealthPort {
  private readonly clients = new Map<string, MicrosoftResourceHealth>();

  constructor(private readonly options: ResourceHealthAdapterOptions) {}

  async currentAvailability(resourceId: string, signal?: AbortSignal): Promise<ResourceAvailability> {
    const subscriptionId = subscriptionOf(resourceId);
    const status = await azureCall(`reading the Resource Health of ${resourceId}`, () =>
      // The SDK puts the id into the path unencoded after a `/`: pass it without its leading slash.
      this.client(subscriptionId).availabilityStatuses.getByResource(resourceId.trim().replace(/^\/+/, ""), { abortSignal: signal }),
    );
    return toAvailability(status);
  }

  private client(subscriptionId: string): MicrosoftResourceHealth {
    let client = this.clients.get(subscriptionId);
    if (!client) {
      client = new MicrosoftResourceHealth(this.options.credential, subscriptionId, armClientOptions(this.options.client));
      this.clients.set(subscriptionId, client);
    }
    return client;
  }
}

export function toAvailability(status: AvailabilityStatus): ResourceAvailability {
  const p = status.properties ?? {};
  const state = STATES.find((s) => s.toLowerCase() === p.availabilityState?.toLowerCase()) ?? "Unknown";
  const cause = p.healthEventCause || p.context;
  return {
    state,
    ...(p.reasonType ? { reasonType: p.reasonType } : {}),
    ...(cause ? { cause } : {}),
    // The REST field is spelled `occuredTime`; the SDK keeps that spelling and parses it to a Date.
    ...(p.occuredTime && !Number.isNaN(p.occuredTime.getTime()) ? { occurredAt: p.occuredTime.toISOString() } : {}),
    summary: p.summary || p.title || `Resource Health reports ${state}.`,
  };
}
