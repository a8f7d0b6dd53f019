import type { VantageStorePort } from "../../../src/ports/vantage.js";

/** In-memory VantageStorePort: one document per replica; `down` makes every call fail as an unreachable store would. */
export class MemoryVantageStore implements VantageStorePort {
  readonly documents = new Map<string, string>();
  down = false;
  publishes = 0;

  publish(replicaId: string, body: string): Promise<void> {
    if (this.down) return Promise.reject(new Error("connect ECONNREFUSED (coordination store unreachable)"));
    this.publishes++;
    this.documents.set(replicaId, body);
    return Promise.resolve();
  }

  readAll(): Promise<Array<{ replicaId: string; body: string }>> {
    if (this.down) return Promise.reject(new Error("connect ECONNREFUSED (coordination store unreachable)"));
    return Promise.resolve([...this.documents].map(([replicaId, body]) => ({ replicaId, body })));
  }
}
