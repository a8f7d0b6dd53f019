import { appendFile, mkdir, open, readFile, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { lastSeqOf, type AuditEntry, type AuditLog, type StateStore } from "../ports/state.js";

const PAIR_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

function fileFor(dir: string, pair: string, ext: string): string {
  if (!PAIR_NAME.test(pair)) throw new Error(`pair name '${pair}' cannot be used as a file name; use letters, digits and inner hyphens`);
  return join(dir, `${pair}${ext}`);
}

/** Snapshots on the local disk: written to a temporary file, flushed, then renamed, so a crash never leaves half a snapshot. */
export class FileStateStore implements StateStore {
  constructor(private readonly dir: string) {}

  async load(pair: string): Promise<unknown | null> {
    let text: string;
    try {
      text = await readFile(fileFor(this.dir, pair, ".state.json"), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`state file of pair '${pair}' is not valid JSON (${(error as Error).message}): move it aside to start the pair fresh`);
    }
  }

  async save(pair: string, snapshot: unknown): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const target = fileFor(this.dir, pair, ".state.json");
    const temp = `${target}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(JSON.stringify(snapshot));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  }
}

/** The audit trail as one JSON-lines file per pair; a torn last line (crash mid-write) is skipped on read. */
export class FileAuditLog implements AuditLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly dir: string) {}

  append(...entries: AuditEntry[]): Promise<void> {
    const write = async () => {
      await mkdir(this.dir, { recursive: true });
      for (const pair of new Set(entries.map((e) => e.pair))) {
        const lines = entries.filter((e) => e.pair === pair).map((e) => JSON.stringify(e) + "\n");
        await appendFile(fileFor(this.dir, pair, ".audit.jsonl"), lines.join(""), { flush: true });
      }
    };
    // Appends are chained so entries keep their order.
    this.chain = this.chain.then(write, write);
    return this.chain;
  }

  async read(pair?: string): Promise<AuditEntry[]> {
    let files: string[];
    try {
      files = (await readdir(this.dir)).filter((f) => f.endsWith(".audit.jsonl"));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    if (pair) files = files.filter((f) => f === `${pair}.audit.jsonl`);
    const entries: AuditEntry[] = [];
    for (const file of files) {
      for (const line of (await readFile(join(this.dir, file), "utf8")).split("\n")) {
        if (!line.trim()) continue;
        try {
          entries.push(JSON.parse(line) as AuditEntry);
        } catch {
          // A line cut short by a crash: everything before it is intact.
        }
      }
    }
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  async lastSeq(pair: string): Promise<number> {
    return lastSeqOf(await this.read(pair));
  }
}
