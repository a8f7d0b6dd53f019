/* global EventTarget */
// Loaded into the daemon by bench/soak.ts (node --import): reports memory, the abort listeners alive and
// process warnings on fd 3, so the daemon's own stdout and stderr stay as they are.
import { createWriteStream } from "node:fs";

const out = createWriteStream(null, { fd: 3 });
const intervalMs = Number(process.env.SOAK_SAMPLE_MS ?? 5000);

// Abort listeners per signal (weakly held): a number that keeps growing is a leak even before Node warns.
const listeners = new WeakMap();
const signals = new Set();
const { addEventListener, removeEventListener } = EventTarget.prototype;
EventTarget.prototype.addEventListener = function (type, listener, options) {
  if (type === "abort" && this instanceof AbortSignal && listener) {
    let set = listeners.get(this);
    if (!set) {
      listeners.set(this, (set = new Set()));
      signals.add(new WeakRef(this));
    }
    set.add(listener);
  }
  return addEventListener.call(this, type, listener, options);
};
EventTarget.prototype.removeEventListener = function (type, listener, options) {
  if (type === "abort") listeners.get(this)?.delete(listener);
  return removeEventListener.call(this, type, listener, options);
};
const abortListeners = () => {
  let total = 0;
  let max = 0;
  for (const ref of signals) {
    const signal = ref.deref();
    // An aborted signal has run and dropped its listeners; a collected one took them along.
    if (!signal || signal.aborted) {
      signals.delete(ref);
      continue;
    }
    const n = listeners.get(signal)?.size ?? 0;
    total += n;
    max = Math.max(max, n);
  }
  return { total, max };
};

const sample = () => {
  globalThis.gc?.(); // --expose-gc: the heap figure is what is alive, not what waits for collection
  const m = process.memoryUsage();
  const abort = abortListeners();
  out.write(JSON.stringify({ type: "memory", at: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, abortListeners: abort.total, abortListenersMax: abort.max }) + "\n");
};
process.on("warning", (warning) => out.write(JSON.stringify({ type: "warning", at: Date.now(), name: warning.name, message: warning.message }) + "\n"));
sample();
setInterval(sample, intervalMs).unref();
