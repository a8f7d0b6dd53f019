import { getEventListeners } from "node:events";
import { expect, it } from "vitest";
import { linkedAbort } from "../../../src/ports/abort.js";

it("a linked controller aborts with its outer signal's reason, at once when that has already aborted, and stops listening on release", () => {
  const outer = new AbortController();
  const { controller, release } = linkedAbort(outer.signal);
  expect(getEventListeners(outer.signal, "abort")).toHaveLength(1);
  outer.abort(new Error("stopping"));
  expect(controller.signal.reason).toEqual(new Error("stopping"));
  release(); // after the outer abort too: nothing left to remove

  expect(linkedAbort(outer.signal).controller.signal.aborted).toBe(true);

  const other = new AbortController();
  const linked = linkedAbort(other.signal);
  linked.release();
  expect(getEventListeners(other.signal, "abort")).toHaveLength(0);
  other.abort();
  expect(linked.controller.signal.aborted).toBe(false);
  expect(linkedAbort().controller.signal.aborted).toBe(false);
});
