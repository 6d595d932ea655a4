// An in-memory EventingDataPlane for reconciler tests: records every call in
// order (`calls`), keeps the current brokers/triggers/channels, and can be
// told to fail an operation.
import type {
  BrokerDataPlaneConfig,
  ChannelDataPlaneConfig,
  EventingDataPlane,
  TriggerDataPlaneConfig,
} from '../dataplane.js';

type Op = 'upsertBroker' | 'deleteBroker' | 'upsertTrigger' | 'deleteTrigger' | 'upsertChannel' | 'deleteChannel';

export class FakeDataPlane implements EventingDataPlane {
  readonly brokerClasses: readonly string[];
  /** `op ns/name` per call, in order (triggers: `upsertTrigger ns/broker/name`). */
  readonly calls: string[] = [];
  readonly brokers = new Map<string, BrokerDataPlaneConfig>();
  readonly triggers = new Map<string, TriggerDataPlaneConfig>();
  readonly channels = new Map<string, ChannelDataPlaneConfig>();
  private readonly failures = new Map<Op, Error>();

  constructor(brokerClasses: readonly string[] = ['MTChannelBasedBroker', 'SkiffLogBroker']) {
    this.brokerClasses = brokerClasses;
  }

  /** Make every later `op` throw `error` until `heal(op)`. */
  fail(op: Op, error = new Error(`induced ${op} failure`)): this {
    this.failures.set(op, error);
    return this;
  }

  heal(op: Op): this {
    this.failures.delete(op);
    return this;
  }

  private record(op: Op, key: string): void {
    this.calls.push(`${op} ${key}`);
    const err = this.failures.get(op);
    if (err) throw err;
  }

  upsertBroker(ns: string, name: string, config: BrokerDataPlaneConfig): void {
    this.record('upsertBroker', `${ns}/${name}`);
    this.brokers.set(`${ns}/${name}`, config);
  }

  deleteBroker(ns: string, name: string): void {
    this.record('deleteBroker', `${ns}/${name}`);
    this.brokers.delete(`${ns}/${name}`);
  }

  upsertTrigger(ns: string, broker: string, config: TriggerDataPlaneConfig): void {
    this.record('upsertTrigger', `${ns}/${broker}/${config.name}`);
    this.triggers.set(`${ns}/${broker}/${config.name}`, config);
  }

  deleteTrigger(ns: string, broker: string, name: string): void {
    this.record('deleteTrigger', `${ns}/${broker}/${name}`);
    this.triggers.delete(`${ns}/${broker}/${name}`);
  }

  upsertChannel(ns: string, name: string, config: ChannelDataPlaneConfig): void {
    this.record('upsertChannel', `${ns}/${name}`);
    this.channels.set(`${ns}/${name}`, config);
  }

  deleteChannel(ns: string, name: string): void {
    this.record('deleteChannel', `${ns}/${name}`);
    this.channels.delete(`${ns}/${name}`);
  }
}
