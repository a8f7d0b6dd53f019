/**
 * A controller of its own that also aborts when `outer` does (with its reason, at once if it already has);
 * `release` stops listening to `outer` and must run when the work is over.
 * Not AbortSignal.any: on Node 20 every combined signal stays referenced by a long-lived outer signal, so code
 * that links thousands of times (a loop, a scheduler) grows the heap for good.
 */
export function linkedAbort(outer?: AbortSignal): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  const stop = () => controller.abort(outer?.reason);
  if (outer?.aborted) stop();
  else outer?.addEventListener("abort", stop, { once: true });
  return { controller, release: () => outer?.removeEventListener("abort", stop) };
}
