import { EventEmitter } from "node:events";

/** A fault was set, changed or cleared. */
export interface FaultEvent {
  type: "fault";
  name: string;
  region: string | null;
  service: string | null;
  active: boolean;
  at: string;
}

/** A service's configuration changed (a `change`, or a restore replacing its content). */
export interface ConfigChangeEvent {
  type: "configChange";
  serviceId: string;
  region: string;
  revision: number;
  operation: "change" | "restore";
  /** What changed, e.g. `added operation orders/op-r3` or `restored from <service id> revision 2`. */
  detail: string;
  at: string;
}

/** A backup or restore finished. */
export interface OperationEvent {
  type: "operation";
  kind: "backup" | "restore";
  serviceId: string;
  backupName: string;
  status: "succeeded" | "failed";
  error?: { code: string; message: string };
  at: string;
}

/** The simulator moved a DNS record (a controller write or a dns-tamper fault). */
export interface DnsChangeEvent {
  type: "dnsChange";
  recordId: string;
  cname: string | null;
  by: "arm" | "tamper";
  at: string;
}

export type SimEvent = FaultEvent | ConfigChangeEvent | OperationEvent | DnsChangeEvent;

/** Typed in-process event stream: the Event Hubs emulator renders these as Azure payloads. */
export class SimEvents {
  private readonly emitter = new EventEmitter();

  emit(event: SimEvent): void {
    this.emitter.emit("event", event);
  }

  /** Returns a function that unsubscribes. */
  on(listener: (event: SimEvent) => void): () => void {
    this.emitter.on("event", listener);
    return () => this.emitter.off("event", listener);
  }
}
