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

  async availabilityInGroup(subscriptionId: string, resourceGroup: string, signal?: AbortSignal): Promise<Map<string, ResourceAvailability>> {
    return azureCall(`listing the Resource Health of resource group ${resourceGroup}`, async () => {
      const statuses = new Map<string, ResourceAvailability>();
      for await (const status of this.client(subscriptionId).availabilityStatuses.listByResourceGroup(resourceGroup, { abortSignal: signal })) {
        const resourceId = resourceIdOfStatus(status.id);
        if (resourceId) statuses.set(resourceId.toLowerCase(), toAvailability(status));
      }
      return statuses;
    });
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

/** `{resourceId}/providers/Microsoft.ResourceHealth/availabilityStatuses/current` → the resource id. */
export function resourceIdOfStatus(id: string | undefined): string | null {
  const at = id?.toLowerCase().lastIndexOf("/providers/microsoft.resourcehealth/") ?? -1;
  return id && at > 0 ? id.slice(0, at) : null;
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
