import { describe, expect, it } from "vitest";
import { WriteSlots } from "../../../src/runtime/write-slots.js";
import { settle } from "../../support/fakes/index.js";

describe("WriteSlots", () => {
  it("runs at most `size` writes at once; waiting saves go before waiting appends, each kind in order", async () => {
    const slots = new WriteSlots(2);
    const started: string[] = [];
    const finish = new Map<string, () => void>();
    const write = (kind: "save" | "append", name: string) =>
      slots.run(kind, () => {
        started.push(name);
        return new Promise<void>((resolve) => finish.set(name, resolve));
      });
    const all = [write("append", "a1"), write("save", "s1"), write("append", "a2"), write("append", "a3"), write("save", "s2")];
    await settle();
    expect(started).toEqual(["a1", "s1"]);
    finish.get("a1")!();
    await settle();
    expect(started).toEqual(["a1", "s1", "s2"]);
    finish.get("s1")!();
    finish.get("s2")!();
    await settle();
    expect(started).toEqual(["a1", "s1", "s2", "a2", "a3"]);
    finish.get("a2")!();
    finish.get("a3")!();
    await Promise.all(all);
  });

  it("frees the slot when a write fails", async () => {
    const slots = new WriteSlots(1);
    await expect(slots.run("save", () => Promise.reject(new Error("store down")))).rejects.toThrow("store down");
    await expect(slots.run("append", async () => "written")).resolves.toBe("written");
    expect(() => new WriteSlots(0)).toThrow("write slots must be a whole number of at least 1, not 0");
  });
});
