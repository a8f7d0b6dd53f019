/**
 * Where replicas share what their probes see (issue 14, several vantage points): one small document
 * per replica in the coordination store, rewritten by its replica every probe round. The content is
 * opaque here (src/vantage writes and reads it); the port only stores and lists.
 */
export interface VantageStorePort {
  /** Replaces this replica's document. */
  publish(replicaId: string, body: string, signal?: AbortSignal): Promise<void>;
  /** Every replica's document, this one's included. */
  readAll(signal?: AbortSignal): Promise<Array<{ replicaId: string; body: string }>>;
}
