import { describe, expect, it } from "vitest";
import { acceptedRecordsSettled, acceptRecord, readWaiting } from "../../src/store/records-in-flight.ts";

const settledWithin = (promise: Promise<unknown>, ms: number) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe("records in flight", () => {
  it("a read waits for the records accepted before it, and says it is waiting while it does", async () => {
    const first = acceptRecord();
    const second = acceptRecord();
    expect(readWaiting()).toBe(false);
    const read = acceptedRecordsSettled();
    first();
    expect(await settledWithin(read, 20)).toBe(false);
    expect(readWaiting()).toBe(true);
    second();
    expect(await settledWithin(read, 1000)).toBe(true);
    expect(readWaiting()).toBe(false);
  });

  it("a read does not wait for records accepted after it began", async () => {
    const before = acceptRecord();
    const read = acceptedRecordsSettled();
    const after = acceptRecord();
    before();
    expect(await settledWithin(read, 1000)).toBe(true);
    after();
  });

  it("with nothing in flight a read goes on at once, and settling twice is harmless", async () => {
    const settle = acceptRecord();
    settle();
    settle();
    expect(await settledWithin(acceptedRecordsSettled(), 5)).toBe(true);
  });
});
