const WORD = 4;
/** A zero run at least this long is taken to be the C stack, which holds nothing between calls. */
const MIN_STACK_GAP = 1024 * 1024;

interface Range {
  start: number;
  bytes: Uint8Array;
}

/**
 * A copy of the live parts of a wasm instance's linear memory, taken while nothing runs in it.
 * Restoring it puts the allocator, the QuickJS runtime and everything the guest made back
 * exactly as they were, byte for byte, for the price of copying ~200 KiB instead of building
 * a runtime and context and compiling the prelude again.
 *
 * emscripten lays memory out as [static data][C stack][heap]. At rest the stack is dead, and
 * above the last non-zero word of the heap there is only space the allocator has not handed
 * out (the free top chunk's header is non-zero, and the allocator initialises what it hands
 * out), so two ranges are kept: the static data, and the heap up to that word.
 */
export class MemorySnapshot {
  private readonly ranges: Range[];
  readonly bytes: number;

  private constructor(ranges: Range[]) {
    this.ranges = ranges;
    this.bytes = ranges.reduce((sum, r) => sum + r.bytes.byteLength, 0);
  }

  /** Where this snapshot's memory ends: above it the allocator has handed nothing out. */
  get end(): number {
    const last = this.ranges[this.ranges.length - 1]!;
    return last.start + last.bytes.byteLength;
  }

  /**
   * A snapshot of the same instance later on, taken with the same layout as `earlier`. Memory
   * above `earlier.end` holds leftovers of past runs, so the caller zeroes [earlier.end,
   * windowEnd) first; the heap's new end is found in that window. Undefined when the heap
   * reached the window's end (its true end cannot be told then).
   */
  static captureAfter(memory: WebAssembly.Memory, earlier: MemorySnapshot, windowEnd: number): MemorySnapshot | undefined {
    const words = new Uint32Array(memory.buffer, 0, windowEnd / WORD);
    let top = words.length;
    if (words[top - 1] !== 0) return undefined;
    const floor = earlier.end / WORD;
    while (top > floor && words[top - 1] === 0) top -= 1;
    const end = Math.max(top * WORD, earlier.end);
    const spans = earlier.ranges.map((range, i): [number, number] => [range.start, i === earlier.ranges.length - 1 ? end : range.start + range.bytes.byteLength]);
    return new MemorySnapshot(spans.map(([start, stop]) => ({ start, bytes: new Uint8Array(memory.buffer, start, stop - start).slice() })));
  }

  static capture(memory: WebAssembly.Memory): MemorySnapshot {
    const words = new Uint32Array(memory.buffer);
    let top = words.length;
    while (top > 0 && words[top - 1] === 0) top -= 1;
    // The longest run of zero words below the top is the untouched part of the stack.
    let gapStart = 0;
    let gapEnd = 0;
    let runStart = -1;
    for (let i = 0; i < top; i++) {
      if (words[i] !== 0) {
        if (runStart >= 0 && i - runStart > gapEnd - gapStart) {
          gapStart = runStart;
          gapEnd = i;
        }
        runStart = -1;
      } else if (runStart < 0) runStart = i;
    }
    const end = top * WORD;
    const spans: [number, number][] =
      (gapEnd - gapStart) * WORD >= MIN_STACK_GAP ? [[0, gapStart * WORD], [gapEnd * WORD, end]] : [[0, end]];
    return new MemorySnapshot(spans.map(([start, stop]) => ({ start, bytes: new Uint8Array(memory.buffer, start, stop - start).slice() })));
  }

  restore(memory: WebAssembly.Memory): void {
    const view = new Uint8Array(memory.buffer);
    for (const range of this.ranges) view.set(range.bytes, range.start);
  }
}
