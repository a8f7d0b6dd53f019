import type { AppendBlobClient, BlobServiceClient, ContainerClient } from "@azure/storage-blob";
import { AuditTrailMovedError, lastSeqOf, type AuditEntry, type AuditTail, type FencedAuditLog } from "../ports/state.js";
import { containerClient, containerCreator } from "./blob-client.js";
import { azureCall, isAbortError, toAzureOperationError } from "./errors.js";
import { checkPairName } from "./blob-state-store.js";

/** How much of a segment's end `lastSeq` reads: more than a few entries, far less than a segment. */
const TAIL_BYTES = 64 * 1024;
// Azure caps one append block at 4 MiB and an append blob at 50,000 blocks.
const MAX_BLOCK_BYTES = 4 * 1024 * 1024;
/** Segment metadata naming the epoch of the leader that owns the trail (issue 14: fenced audit writes). */
export const AUDIT_EPOCH_KEY = "apimdrepoch";

export interface BlobAuditLogOptions {
  /** Where skipped (torn or corrupt) lines are reported. */
  warn?: (message: string) => void;
}

/**
 * AuditLog on append blobs: one JSON line per entry (the entries of one call in one append block), in segments `<pair>/000001.jsonl`,
 * `<pair>/000002.jsonl`, … (a new segment when Azure's per-blob block limit is reached).
 *
 * Fenced writes (several replicas): the condition is the segment's etag. A position is `<segment>:<etag>` (no etag: the
 * segment does not exist yet); `appendAt` appends with `If-Match` on that etag and `claim` writes the owner's epoch
 * into the segment's metadata the same way, so any write by anybody else in between answers 412. We chose the etag
 * over the append-position condition because a claim (a metadata write, no new bytes) must also move it, and over a
 * lease because the pair's lease lives on another blob (its lease id cannot guard these).
 */
export class BlobAuditLog implements FencedAuditLog {
  private readonly container: ContainerClient;
  private readonly warn: (message: string) => void;
  private readonly ensureContainer: () => Promise<void>;
  /** Per pair: the segment being appended to, and the tail of the queue that keeps entries in order. */
  private readonly segments = new Map<string, number>();
  private readonly queues = new Map<string, Promise<void>>();
  /** Per segment: bytes read so far (whole lines), how many lines, their entries, an unterminated last line and where it was seen. */
  private readonly segmentsRead = new Map<string, { bytes: number; lines: number; entries: AuditEntry[]; tail: AuditEntry | null; tornAt: number }>();
  private readonly refreshing: { running?: Promise<void>; next?: Promise<void> } = {};

  constructor(service: BlobServiceClient, containerName: string, options: BlobAuditLogOptions = {}) {
    this.container = containerClient(service, containerName);
    this.ensureContainer = containerCreator(this.container);
    this.warn = options.warn ?? ((message) => process.stderr.write(`${message}\n`));
  }

  append(...entries: AuditEntry[]): Promise<void> {
    let pair: string;
    let blocks: Block[];
    try {
      pair = pairOf(entries);
      blocks = blocksOf(entries);
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return this.enqueue(pair, async () => {
      for (const block of blocks) await this.appendBlock(pair, block);
    });
  }

  /** One write at a time per pair, in call order: entries keep their order. */
  private enqueue<T>(pair: string, write: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(pair) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    this.queues.set(pair, next.then(() => undefined, () => undefined));
    return next;
  }

  /**
   * Segments only ever grow, so each is read once and then only from where the last read ended
   * (complete lines only). Concurrent reads share one refresh: a burst of requests costs one
   * listing, not a download of the whole trail each.
   */
  async read(pair?: string): Promise<AuditEntry[]> {
    const prefix = pair === undefined ? "" : `${checkPairName(pair)}/`;
    await this.refresh();
    const names = [...this.segmentsRead.keys()].filter((name) => name.startsWith(prefix)).sort();
    const entries = names.flatMap((name) => {
      const segment = this.segmentsRead.get(name)!;
      return segment.tail ? [...segment.entries, segment.tail] : segment.entries;
    });
    // Segments are per pair; across pairs, interleave by time (stable within a pair).
    return pair === undefined ? entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)) : entries;
  }

  /** Reads only the end of the pair's last segment: the newest complete line that carries a `seq` is the answer. */
  async lastSeq(pair: string): Promise<number> {
    const name = checkPairName(pair);
    await this.ensureContainer();
    return (await this.readTail(name, this.segments.get(name) ?? (await this.lastSegment(name)))).lastSeq;
  }

  /** Where the trail ends now (the last segment is listed afresh: another replica may have started a new one). */
  async tail(pair: string): Promise<AuditTail> {
    const name = checkPairName(pair);
    await this.ensureContainer();
    const segment = await this.lastSegment(name);
    const read = await this.readTail(name, segment);
    this.segments.set(name, segment);
    return { lastSeq: read.lastSeq, epoch: read.epoch, position: `${segment}:${read.etag ?? ""}` };
  }

  claim(pair: string, epoch: number, position: string): Promise<string> {
    const name = checkPairName(pair);
    return this.enqueue(name, async () => {
      await this.ensureContainer();
      const { segment, etag } = parsePosition(name, position);
      const blob = this.segmentBlob(name, segment);
      const metadata = { [AUDIT_EPOCH_KEY]: String(epoch) };
      const written = await this.conditional(name, `claiming the audit trail of pair ${name}`, () =>
        etag ? blob.setMetadata(metadata, { conditions: { ifMatch: etag } }) : blob.create({ metadata, conditions: { ifNoneMatch: "*" } }),
      );
      this.segments.set(name, segment);
      return `${segment}:${written.etag ?? ""}`;
    });
  }

  appendAt(entries: readonly AuditEntry[], position: string): Promise<string> {
    const name = pairOf(entries);
    const blocks = blocksOf(entries);
    return this.enqueue(name, async () => {
      await this.ensureContainer();
      const action = `appending to the audit trail of pair ${name}`;
      let { segment, etag } = parsePosition(name, position);
      for (const block of blocks) {
        for (;;) {
          const blob = this.segmentBlob(name, segment);
          if (!etag) etag = (await this.conditional(name, action, () => blob.create({ conditions: { ifNoneMatch: "*" } }))).etag ?? "";
          try {
            etag = (await this.conditional(name, action, () => blob.appendBlock(block.text, block.bytes, { conditions: { ifMatch: etag } }))).etag ?? "";
            this.segments.set(name, segment);
            break;
          } catch (error) {
            if ((error as { code?: string }).code !== "BlockCountExceedsLimit") throw error;
            // The segment is full: the next one carries the same owner, created only if nobody else did.
            const properties = await this.conditional(name, action, () => blob.getProperties({ conditions: { ifMatch: etag } }));
            const next = this.segmentBlob(name, segment + 1);
            const created = await this.conditional(name, action, () => next.create({ metadata: properties.metadata ?? {}, conditions: { ifNoneMatch: "*" } }));
            segment += 1;
            etag = created.etag ?? "";
          }
        }
      }
      return `${segment}:${etag}`;
    });
  }

  /** A write whose condition failed (412, or 409 for a create) means the trail moved. */
  private async conditional<T>(pair: string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await azureCall(action, fn);
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 412 || (status === 409 && (error as { code?: string }).code === "BlobAlreadyExists")) throw new AuditTrailMovedError(pair);
      throw error;
    }
  }

  /** The end of one segment: its last seq, its owner's epoch and its etag (null when it does not exist). */
  private async readTail(pair: string, segment: number): Promise<{ lastSeq: number; epoch: number | null; etag: string | null }> {
    const blob = this.segmentBlob(pair, segment);
    let properties: Awaited<ReturnType<AppendBlobClient["getProperties"]>>;
    try {
      properties = await azureCall(`reading the audit trail of pair ${pair}`, () => blob.getProperties());
    } catch (error) {
      if ((error as { code?: string }).code === "BlobNotFound") return { lastSeq: 0, epoch: null, etag: null };
      throw error;
    }
    const size = properties.contentLength ?? 0;
    const epoch = Number(properties.metadata?.[AUDIT_EPOCH_KEY]);
    const from = Math.max(0, size - TAIL_BYTES);
    // Only the bytes that existed when the etag was read: the position and the seq describe the same moment.
    const tail = size === 0 ? "" : (await azureCall(`reading the audit trail of pair ${pair}`, () => blob.downloadToBuffer(from, size - from))).toString("utf8");
    const lines = tail.split("\n").slice(from > 0 ? 1 : 0); // the first line of a tail read may be cut
    const entries = lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as AuditEntry];
      } catch {
        return []; // empty, cut short, or torn by a crash
      }
    });
    return { lastSeq: lastSeqOf(entries), epoch: Number.isFinite(epoch) && properties.metadata?.[AUDIT_EPOCH_KEY] ? epoch : null, etag: properties.etag ?? null };
  }

  /**
   * At most one refresh runs (one segment is never read twice at once); callers arriving meanwhile
   * share the next one, so each read sees what was appended before it began.
   */
  private refresh(): Promise<void> {
    const state = this.refreshing;
    if (!state.running) {
      state.running = this.catchUp().finally(() => (state.running = undefined));
      return state.running;
    }
    state.next ??= state.running
      .catch(() => undefined)
      .then(() => {
        state.next = undefined;
        return this.refresh();
      });
    return state.next;
  }

  private async catchUp(): Promise<void> {
    const sizes = new Map<string, number>();
    try {
      for await (const blob of this.container.listBlobsFlat()) {
        if (/\/\d{6}\.jsonl$/.test(blob.name)) sizes.set(blob.name, blob.properties.contentLength ?? 0);
      }
    } catch (error) {
      if (isAbortError(error)) throw error;
      const failure = toAzureOperationError(error, "reading the audit trail");
      if (failure.code === "ContainerNotFound") return;
      throw failure;
    }
    for (const [name, size] of sizes) {
      const known = this.segmentsRead.get(name) ?? { bytes: 0, lines: 0, entries: [], tail: null, tornAt: -1 };
      this.segmentsRead.set(name, known);
      if (size <= known.bytes) continue;
      const chunk = await azureCall(`reading audit segment ${name}`, () => this.container.getBlobClient(name).downloadToBuffer(known.bytes, size - known.bytes));
      const end = chunk.lastIndexOf(0x0a) + 1;
      for (const line of chunk.subarray(0, end).toString("utf8").split("\n").slice(0, -1)) {
        known.lines++;
        const entry = this.parseLine(line, () => `corrupt line ${known.lines} in ${name}`);
        if (entry) known.entries.push(entry);
      }
      known.bytes += end;
      // A last line without its newline is read again next time; when it does not parse it is an interrupted write, reported once.
      const tail = chunk.subarray(end).toString("utf8");
      const warnTorn = known.tornAt !== known.bytes;
      known.tornAt = known.bytes;
      known.tail = tail.trim() ? this.parseLine(tail, () => `a torn last line in ${name} (an interrupted write)`, warnTorn) : null;
    }
  }

  private parseLine(line: string, where: () => string, warn = true): AuditEntry | null {
    if (line.trim() === "") return null;
    try {
      const entry = JSON.parse(line) as AuditEntry;
      if (typeof entry !== "object" || entry === null || typeof entry.at !== "string" || typeof entry.pair !== "string") {
        throw new Error("not an audit entry (needs string 'at' and 'pair')");
      }
      return entry;
    } catch (error) {
      if (warn) this.warn(`audit: skipped ${where()}: ${(error as Error).message}`);
      return null;
    }
  }

  private async appendBlock(pair: string, block: Block): Promise<void> {
    const action = `appending to the audit trail of pair ${pair}`;
    await this.ensureContainer();
    let segment = this.segments.get(pair) ?? (await this.lastSegment(pair));
    let metadata: Record<string, string> | undefined;
    for (;;) {
      const blob = this.segmentBlob(pair, segment);
      try {
        if (this.segments.get(pair) !== segment) await blob.createIfNotExists(metadata ? { metadata } : {});
        await blob.appendBlock(block.text, block.bytes);
        this.segments.set(pair, segment);
        return;
      } catch (error) {
        if (isAbortError(error)) throw error;
        const failure = toAzureOperationError(error, action);
        if (failure.code !== "BlockCountExceedsLimit") throw failure;
        // A new segment keeps the trail's owner (the epoch in its metadata).
        metadata = (await azureCall(action, () => blob.getProperties())).metadata;
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

/** A position is `<segment>:<etag>`, as `tail`, `claim` and `appendAt` hand it out. */
function parsePosition(pair: string, position: string): { segment: number; etag: string } {
  const match = /^(\d+):(.*)$/.exec(position);
  if (!match) throw new Error(`'${position}' is not a position in the audit trail of pair ${pair}: take it from tail(), claim() or appendAt()`);
  return { segment: Number(match[1]), etag: match[2]! };
}

/** Whole JSON lines, at most one append block's worth. */
interface Block {
  text: string;
  bytes: number;
}

/** The one pair the entries belong to (a trail is per pair). */
function pairOf(entries: readonly AuditEntry[]): string {
  const pair = entries[0]?.pair;
  if (pair === undefined) throw new Error("Nothing to append: give at least one audit entry.");
  const other = entries.find((e) => e.pair !== pair);
  if (other) throw new Error(`Audit entries of pairs ${pair} and ${other.pair} cannot be appended together: append each pair's entries on their own.`);
  return checkPairName(pair);
}

/** The entries as JSON lines packed into as few append blocks as Azure's 4 MiB block limit allows. */
function blocksOf(entries: readonly AuditEntry[]): Block[] {
  const blocks: Block[] = [];
  let current: Block = { text: "", bytes: 0 };
  for (const entry of entries) {
    const line = `${JSON.stringify(entry)}\n`;
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_BLOCK_BYTES) throw new Error(`Audit entry for pair ${entry.pair} is ${bytes} bytes; the limit is ${MAX_BLOCK_BYTES}: shorten its detail.`);
    if (current.bytes + bytes > MAX_BLOCK_BYTES) {
      blocks.push(current);
      current = { text: "", bytes: 0 };
    }
    current.text += line;
    current.bytes += bytes;
  }
  blocks.push(current);
  return blocks;
}
