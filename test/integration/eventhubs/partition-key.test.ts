import { describe, expect, it } from "vitest";
import { partitionForKey } from "../../../src/sim/eventhubs/partition-key.js";

// Expected partitions computed with @azure/event-hubs 6.0.0's own key mapper (the service's
// lookup3 hash), covering every tail length of the hash and multi-byte UTF-8.
const vectors: [string, number, number][] = [
  ["", 0, 0],
  ["a", 0, 28],
  ["ab", 1, 13],
  ["abc", 1, 17],
  ["abcd", 2, 6],
  ["westeurope", 2, 18],
  ["apim-weu-primary", 0, 8],
  ["hello world!", 0, 28],
  ["exactly12byt", 1, 1],
  ["thirteen byte", 1, 1],
  ["/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.ApiManagement/service/apim-weu", 0, 4],
  ["ünïcødé", 3, 19],
];

describe("partition key hashing", () => {
  it.each(vectors)("maps %j like Event Hubs does", (key, on4, on32) => {
    expect(partitionForKey(key, 4)).toBe(on4);
    expect(partitionForKey(key, 32)).toBe(on32);
  });
});
