import { randomUUID } from "node:crypto";
import { applyChange } from "./content.js";
import type { SimEvents } from "./events.js";
import { FaultRegistry, type ActiveFault, type FaultRequest, validateFaultOptions } from "./faults.js";
import type { BlobRestClient } from "./storage/blob-rest.js";
import { TrafficLog } from "./traffic.js";
import { createDnsRecords, createServices, type SimDnsRecord, type SimService, type WorldSpec } from "./world.js";
import type { OperationEngine } from "./operations.js";
import { WebhookLog } from "./webhooks.js";

export interface SimTimings {
  backupDurationMs: number;
  restoreDurationMs: number;
  /** Retry-After on 429 and 503 answers. */
  retryAfterSeconds: number;
  /** Retry-After on backup/restore 202s and their polls (real APIM: 60). */
  operationRetryAfterSeconds: number;
}

export interface SimStorage {
  accountName: string;
  accountKey: string;
  blobEndpoint: string;
  client: BlobRestClient;
}

export interface ServiceStats {
  id: string;
  name: string;
  region: string;
  sku: string;
  capacity: number;
  revision: number;
  restoredFromRevision: number | null;
  restoredFromServiceId: string | null;
  backups: { started: number; succeeded: number; failed: number };
  restores: { started: number; succeeded: number; failed: number };
  gatewayRequests: number;
}

export interface SimStats {
  services: Record<string, ServiceStats>;
  dns: Record<string, { id: string; cname: string | null; ttl: number; etag: string; writes: number }>;
  faults: ActiveFault[];
  gatewayRequests: Record<string, number>;
  /** Notifications the webhook receiver took in. */
  webhooks: ReturnType<WebhookLog["stats"]>;
  /** Requests the ARM, metrics and logs front door answered since start: reads (GET) and the rest. */
  arm: { reads: number; writes: number };
}

/** Everything the simulated Azure knows; the HTTP front ends read and change it through here. */
export class SimState {
  readonly services: SimService[];
  readonly dnsRecords: SimDnsRecord[];
  readonly faults = new FaultRegistry();
  readonly traffic = new TrafficLog();
  readonly webhooks = new WebhookLog();
  readonly startedAt = Date.now();
  readonly armRequests = { reads: 0, writes: 0 };
  operations!: OperationEngine;
  /** The world as it started, for `repair` after precondition breaks. */
  readonly pristine: Pick<WorldSpec, "primary" | "standby" | "storageAccounts">;

  constructor(
    readonly world: WorldSpec,
    readonly storage: SimStorage,
    readonly timings: SimTimings,
    readonly events: SimEvents,
  ) {
    // The backup account's ARM resource is Azurite's account.
    world.storageAccounts.backup.name = storage.accountName;
    this.services = createServices(world);
    this.dnsRecords = createDnsRecords(world);
    this.pristine = structuredClone({ primary: world.primary, standby: world.standby, storageAccounts: world.storageAccounts });
  }

  serviceByName(name: string): SimService | undefined {
    return this.services.find((s) => s.spec.name.toLowerCase() === name.toLowerCase());
  }

  /** By name, by full resource id (any casing) or by region. */
  resolveService(ref: string): SimService {
    const lower = ref.toLowerCase();
    const found = this.services.find(
      (s) => s.spec.name.toLowerCase() === lower || s.id.toLowerCase() === lower || s.spec.region === lower,
    );
    if (!found) {
      throw new Error(`unknown service '${ref}': use one of ${this.services.map((s) => `'${s.spec.name}'`).join(", ")} (or its region or resource id)`);
    }
    return found;
  }

  serviceInRegion(region: string): SimService | undefined {
    return this.services.find((s) => s.spec.region === region);
  }

  /** Makes `count` configuration changes on the service, each a new revision. */
  change(ref: string, count = 1): SimService {
    if (!Number.isInteger(count) || count < 1) throw new Error(`change count must be a positive integer, got ${count}`);
    const service = this.resolveService(ref);
    for (let i = 0; i < count; i++) {
      const revision = service.revision + 1;
      const { content, operation } = applyChange(service.content, revision);
      service.content = content;
      service.revision = revision;
      this.events.emit({
        type: "configChange",
        serviceId: service.id,
        region: service.spec.region,
        revision,
        operation: "change",
        detail: `added operation ${operation}`,
        at: new Date().toISOString(),
      });
    }
    return service;
  }

  /** Sets a fault (or, for the one-shot dns-tamper and clock-shift, applies it) and announces it. */
  async setFault(request: FaultRequest): Promise<ActiveFault | null> {
    const options = request.options ?? {};
    validateFaultOptions(request.name, options);
    if (request.region) this.requireRegion(request.region);
    if (request.service) this.resolveService(request.service);
    const at = new Date().toISOString();
    if (request.name === "dns-tamper") {
      this.tamperDns(options.cname ?? "tampered.azure-api.net");
      this.events.emit({ type: "fault", name: request.name, region: request.region ?? null, service: request.service ?? null, active: false, at });
      return null;
    }
    if (request.name === "clock-shift") {
      await this.operations.shiftBackups(options.byMs!);
      this.events.emit({ type: "fault", name: request.name, region: request.region ?? null, service: request.service ?? null, active: false, at });
      return null;
    }
    const fault = this.faults.set({ ...request, options }, Date.now());
    this.events.emit({ type: "fault", name: fault.name, region: fault.region, service: fault.service, active: true, at });
    return fault;
  }

  clearFault(request: Omit<FaultRequest, "options">): ActiveFault[] {
    const cleared = this.faults.clear(request.name, request.region ?? null, request.service ?? null);
    for (const f of cleared) {
      this.events.emit({ type: "fault", name: f.name, region: f.region, service: f.service, active: false, at: new Date().toISOString() });
    }
    return cleared;
  }

  clearAllFaults(): ActiveFault[] {
    const cleared = this.faults.clearAll();
    for (const f of cleared) {
      this.events.emit({ type: "fault", name: f.name, region: f.region, service: f.service, active: false, at: new Date().toISOString() });
    }
    return cleared;
  }

  /** Writes a record set the way ARM does: new etag, counted, announced. */
  writeDns(record: SimDnsRecord, cname: string | null, ttl: number, by: "arm" | "tamper"): void {
    record.cname = cname;
    record.ttl = ttl;
    record.etag = randomUUID();
    record.writes += 1;
    this.events.emit({ type: "dnsChange", recordId: record.id, cname, by, at: new Date().toISOString() });
  }

  stats(): SimStats {
    const services: Record<string, ServiceStats> = {};
    const gatewayRequests: Record<string, number> = {};
    for (const s of this.services) {
      const requests = this.traffic.requestCount(s.id);
      services[s.spec.name] = {
        id: s.id,
        name: s.spec.name,
        region: s.spec.region,
        sku: s.spec.skuName,
        capacity: s.spec.skuCapacity,
        revision: s.revision,
        restoredFromRevision: s.restoredFromRevision,
        restoredFromServiceId: s.restoredFromServiceId,
        backups: { ...s.backups },
        restores: { ...s.restores },
        gatewayRequests: requests,
      };
      gatewayRequests[s.spec.region] = requests;
    }
    const dns: SimStats["dns"] = {};
    for (const r of this.dnsRecords) {
      dns[`${r.name}.${r.zone}`] = { id: r.id, cname: r.cname, ttl: r.ttl, etag: r.etag, writes: r.writes };
    }
    return { services, dns, faults: this.faults.list(), gatewayRequests, arm: { ...this.armRequests }, webhooks: this.webhooks.stats() };
  }

  private tamperDns(cname: string): void {
    const record = this.dnsRecords[0]!;
    this.writeDns(record, cname, record.ttl, "tamper");
  }

  private requireRegion(region: string): void {
    if (!this.serviceInRegion(region)) {
      throw new Error(`unknown region '${region}': the simulator has ${this.services.map((s) => `'${s.spec.region}'`).join(", ")}`);
    }
  }
}
