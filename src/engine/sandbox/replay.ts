import { SEED_WORDS } from "./guest-random.ts";

/** What the guest's fetch gets from the recording: an answer, nothing yet, or a different request than before. */
export type RecordedAnswer = { answer: string } | { missing: true } | { diverged: string };

/**
 * The host's answers to one execution's fetches and clock reads, in order. A run on the sync
 * build cannot wait for a fetch, so it stops at the first fetch the recording cannot answer;
 * the host makes that request with no sandbox held, records the answer, and runs the task
 * again from the start. Each run gets the same input, the same random seed, the same
 * clock readings and the same answers, so it takes the same path, and every request leaves
 * the sandbox once.
 */
const seeds = new Int32Array(1024);
let nextSeed = seeds.length;

/** SEED_WORDS random words, drawn from the platform 1024 at a time. */
function randomSeed(): string {
  if (nextSeed + SEED_WORDS > seeds.length) {
    crypto.getRandomValues(seeds);
    nextSeed = 0;
  }
  nextSeed += SEED_WORDS;
  return seeds.subarray(nextSeed - SEED_WORDS, nextSeed).join(",");
}

export class Replay {
  private drawnSeed: string | undefined;
  /** The execution's seed for Math.random and crypto, the same in every run of it; drawn when a run first asks for it (most tasks never do). */
  get seed(): string {
    return (this.drawnSeed ??= randomSeed());
  }
  private readonly exchanges: { request: string; answer: string }[] = [];
  private readonly times: number[] = [];
  private fetchIndex = 0;
  private timeIndex = 0;
  /** After a fetch the recording could not answer the run is void: its clock reads are not kept. */
  private stopped = false;
  /** Runs started for this execution. */
  runs = 0;

  /** Starts a run from the beginning of the recording. */
  rewind(): void {
    this.fetchIndex = 0;
    this.timeIndex = 0;
    this.stopped = false;
    this.runs += 1;
  }

  /** The clock as this run sees it: what earlier runs read, then the host's clock. */
  now(): number {
    if (this.timeIndex < this.times.length) return this.times[this.timeIndex++]!;
    const time = Date.now();
    if (!this.stopped) {
      this.times.push(time);
      this.timeIndex += 1;
    }
    return time;
  }

  /** The recorded answer to the run's next fetch, which must be the request recorded there. */
  answer(request: string): RecordedAnswer {
    const recorded = this.exchanges[this.fetchIndex];
    if (!recorded) {
      this.stopped = true;
      return { missing: true };
    }
    if (recorded.request !== request) return { diverged: recorded.request };
    this.fetchIndex += 1;
    return { answer: recorded.answer };
  }

  /** Keeps the answer to the fetch the run is at (made by the host, between runs or while suspended). */
  record(request: string, answer: string): void {
    this.exchanges.push({ request, answer });
    this.fetchIndex = this.exchanges.length;
    this.stopped = false;
  }
}
