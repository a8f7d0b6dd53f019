import type { AppendBlobClient, BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import type { AuditEntry, AuditLog } from "../ports/state.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { checkPairName } from "./blob-state-store.js";

// Azure caps one append block at 4 MiB and an append blob at 50,000 blocks.
const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface BlobAuditLogOptions {
  /** Where skipped (torn or corrupt) lines are reported. */
  warn?: (message: string) => void;
}

/**
 * AuditLog on append blobs: one JSON line per entry, in segments `<pair>/000001.jsonl`,
 * `<pair>/000002.jsonl`, … (a new segment when Azure's per-blob block limit is reached).
 */
export class BlobAuditLog implements AuditLog {
  private readonly container: ContainerClient;
  private readonly warn: (message: string) => void;
  private readonly ensureContainer: () => Promise<void>;
  /** Per pair: the segment being appended to, and the tail of the queue that keeps entries in order. */
  private readonly segments = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();

  constructor(service: BlobServiceClient, containerName: string, options: BlobAuditLogOptions = {}) {
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
  }

  append(entry: AuditEntry): Promise<void> {
    const pair = checkPairName(entry.pair);
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_LINE_BYTES) {
      return Promise.reject(new Error(`Audit entry for pair ${pair} is ${bytes} bytes; the limit is ${MAX_LINE_BYTES}: shorten its detail.`));
    }
    const previous = this.queues.get(pair) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.appendLine(pair, line, bytes));
    this.queues.set(pair, next);
    return next;
  }

  async read(pair?: string): Promise<AuditEntry[]> {
    const prefix = pair === undefined ? undefined : `${checkPairName(pair)}/`;
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        if (/\/\d{6}\.jsonl$/.test(blob.name)) names.push(blob.name);
      }
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, `reading the audit trail${pair ? ` of pair ${pair}` : ""}`);
      if (failure.code === "ContainerNotFound") return [];
      throw failure;
    }
    names.sort();
    const entries: AuditEntry[] = [];
    for (const name of names) {
      const text = await azureCall(`reading audit segment ${name}`, async () =>
        (await this.container.getBlobClient(name).downloadToBuffer()).toString("utf8"),
      );
      entries.push(...this.parseSegment(name, text));
    }
    // Segments are per pair; across pairs, interleave by time (stable within a pair).
    return pair === undefined ? entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) : entries;
  }

  private parseSegment(name: string, text: string): AuditEntry[] {
    const lines = text.split("\n");
    const entries: AuditEntry[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const last = index === lines.length - 1;
      try {
        const entry = JSON.parse(line) as AuditEntry;
        if (typeof entry !== "object" || entry === null || typeof entry.at !== "string" || typeof entry.pair !== "string") {
          throw new Error("not an audit entry (needs string 'at' and 'pair')");
        }
        entries.push(entry);
      } catch (error) {
        this.warn(
          last
            ? `audit: skipped a torn last line in ${name} (an interrupted write): ${(error as Error).message}`
            : `audit: skipped corrupt line ${index + 1} in ${name}: ${(error as Error).message}`,
        );
      }
    });
    return entries;
  }

  private async appendLine(pair: string, line: string, bytes: number): Promise<void> {
    const action = `appending to the audit trail of pair ${pair}`;
    await this.ensureContainer();
    let segment = this.segments.get(pair) ?? (await this.lastSegment(pair));
    for (;;) {
      const blob = this.segmentBlob(pair, segment);
      try {
        if (this.segments.get(pair) !== segment) await blob.createIfNotExists();
        await blob.appendBlock(line, bytes);
        this.segments.set(pair, segment);
        return;
      } catch (error) {
        if (isAbortError(error)) throw error;
        const failure = toAzureOperationError(error, action);
        if (failure.code !== "BlockCountExceedsLimit") throw failure;
        segment += 1;
      }
    }
  }

  private async lastSegment(pair: string): Promise<number> {
    let last = 1;
    await azureCall(`finding the audit segments of pair ${pair}`, async () => {
      for await (const blob of this.container.listBlobsFlat({ prefix: `${pair}/` })) {
        const match = /\/(\d{6})\.jsonl$/.exec(blob.name);
        if (match) last = Math.max(last, Number(match[1]));
      }
    });
    return last;
  }

  private segmentBlob(pair: string, segment: number): AppendBlobClient {
    return this.container.getAppendBlobClient(`${pair}/${String(segment).padStart(6, "0")}.jsonl`);
  }
}
