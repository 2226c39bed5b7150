// A minimal event emitter for the UI models, which run without `vscode` (and so without its
// EventEmitter). A listener that throws does not keep the others from hearing the event.
export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(value: T) => void>();

  readonly event: Event<T> = (listener) => {
    // Wrapped, so the same function subscribed twice is two subscriptions, each disposable.
    const entry = (value: T) => listener(value);
    this.listeners.add(entry);
    return { dispose: () => void this.listeners.delete(entry) };
  };

  get size(): number {
    return this.listeners.size;
  }

  fire(value: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(value);
      } catch {
        // one failing listener must not starve the others; each reports its own errors
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
