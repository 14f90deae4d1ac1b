import { setFlagsFromString } from "node:v8";

/**
 * How much V8 grows its heap after each full collection, in percent, while `plan` and `validate` stream:
 * they allocate a lot but keep little (about 30 MB live, a page at a time: issue 16), and V8's default
 * growth lets such a heap swell to several hundred MB of garbage before it collects. 20% keeps the peak RSS
 * of a 1,000,000-order plan near that of 100,000 for a few more, short, collections.
 */
export const HEAP_GROWING_PERCENT = 20;

/** Sets {@link HEAP_GROWING_PERCENT} for the rest of the process (read by V8 at each collection). */
export function growHeapSlowly(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
