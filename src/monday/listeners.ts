// A minimal listener set for the resilience layer's events: observability listens, core code only emits.

/** Subscribes a listener; returns the unsubscribe function. */
export type Subscribe<E> = (listener: (event: E) => void) => () => void;

/** Listeners of one event type. A listener that throws never breaks the code that emitted. */
export class Listeners<E> {
  readonly #listeners = new Set<(event: E) => void>();

  /** Adds `listener`; returns the function that removes it. */
  readonly subscribe: Subscribe<E> = (listener) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  emit(event: E): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A broken listener must never break a request.
      }
    }
  }
}
