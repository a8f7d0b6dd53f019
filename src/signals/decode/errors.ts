/** A payload that cannot be decoded; its message is what the user sees (one line, names the fix). */
export class DecodeError extends Error {
  override name = "DecodeError";
}
