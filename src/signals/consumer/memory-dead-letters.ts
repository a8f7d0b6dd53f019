import type { DeadLetter, DeadLetterStore } from "../../ports/dead-letters.js";

/** Dead letters kept in memory (tests, drills, `sim`), keyed like the blob store so redeliveries overwrite. */
export function createMemoryDeadLetterStore(): DeadLetterStore & { size(): number } {
  const entries = new Map<string, DeadLetter>();
  return {
    async put(entry) {
      entries.set(`${entry.partitionId}/${entry.sequenceNumber}`, structuredClone(entry));
    },
    async list() {
      return [...entries.values()].sort((a, b) => a.at.localeCompare(b.at) || a.partitionId.localeCompare(b.partitionId) || a.sequenceNumber - b.sequenceNumber);
    },
    size: () => entries.size,
  };
}
