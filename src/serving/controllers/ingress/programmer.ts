// The seam between the KIngress status reconciler and whatever programs
// the gateway. In embedded mode the data plane runs in a worker; the bridge
// that feeds it snapshots implements IngressProgrammer and reports a
// KIngress generation as programmed once the worker acknowledged a snapshot
// containing it. Two implementations live here for tests and simple set-ups.

export interface IngressProgrammer {
  /** True once the data plane serves this generation (or a later one) of KIngress ns/name. */
  isProgrammed(namespace: string, name: string, generation: number): boolean;
  /** Called whenever more KIngresses become programmed, so their status can be updated. */
  onProgrammed(cb: (namespace: string, name: string) => void): void;
}

/** Everything is programmed at once (unit tests, or a gateway that reads the store directly). */
export class ImmediateIngressProgrammer implements IngressProgrammer {
  isProgrammed(): boolean {
    return true;
  }
  onProgrammed(): void {
    // Nothing is ever late, so there is nothing to announce.
  }
}

/** Programmed only when a test says so: `program(ns, name, generation)`. */
export class ManualIngressProgrammer implements IngressProgrammer {
  private readonly programmed = new Map<string, number>();
  private readonly listeners: Array<(namespace: string, name: string) => void> = [];

  isProgrammed(namespace: string, name: string, generation: number): boolean {
    return (this.programmed.get(`${namespace}/${name}`) ?? 0) >= generation;
  }

  onProgrammed(cb: (namespace: string, name: string) => void): void {
    this.listeners.push(cb);
  }

  program(namespace: string, name: string, generation: number): void {
    const key = `${namespace}/${name}`;
    if ((this.programmed.get(key) ?? 0) >= generation) return;
    this.programmed.set(key, generation);
    for (const cb of this.listeners) cb(namespace, name);
  }
}
