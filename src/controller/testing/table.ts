// Table-driven reconciler tests in the style of knative.dev/pkg/reconciler/testing
// (table_test.go): each row seeds objects into a FakeApiClient, informers
// sync from it, the reconciler runs once for `key`, and the row states what
// must come out — creates, updates, status updates, patches, deletes, events,
// error, requeue. Every "want" list is exact: an unlisted write fails the row.
//
//   describe('RevisionReconciler', () => runTable(rows, (ctx) => newRevisionReconciler({...ctx})));
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { FakeClock } from '../clock.js';
import type { Reconciler, ReconcileResult } from '../controller.js';
import { requeueDelayOf } from '../errors.js';
import { FakeEventRecorder } from '../events.js';
import { SharedInformerFactory } from '../informer.js';
import { MemoryLogger } from '../logger.js';
import { FakeApiClient, type FakeApiClientOptions } from './fake-client.js';

export interface TableContext {
  client: FakeApiClient;
  informers: SharedInformerFactory;
  recorder: FakeEventRecorder;
  clock: FakeClock;
  logger: MemoryLogger;
}

export type ReconcilerFactory = (ctx: TableContext) => Reconciler;

export interface WantPatch {
  /** Checked when given. */
  gr?: string;
  namespace?: string;
  name: string;
  patch: unknown;
  patchType?: 'merge' | 'json' | 'strategic';
  subresource?: string;
}

export interface WantDelete {
  gr?: string;
  namespace?: string;
  name: string;
}

export interface TableRow {
  name: string;
  /** `namespace/name` handed to reconcile(). */
  key: string;
  /** Objects that exist before reconcile (in the API and, once synced, in every informer), stored exactly as given. */
  objects?: KObject[];
  /** Set up reactors etc. on the client before the run, e.g. `(c) => c.induceFailure('create', 'core/configmaps')`. */
  withClient?: (client: FakeApiClient) => void;
  /** true: any error; string: exact message; RegExp: message matches. Default: no error. */
  wantErr?: boolean | string | RegExp;
  wantCreates?: KObject[];
  wantUpdates?: KObject[];
  wantStatusUpdates?: KObject[];
  wantPatches?: WantPatch[];
  wantDeletes?: WantDelete[];
  /** `"<Type> <Reason> <message>"`, in order. */
  wantEvents?: string[];
  /** Requeue delay asked for via a result or RequeueAfter (undefined: none). */
  wantRequeueAfterMs?: number;
  /** Extra checks after the run. */
  postConditions?: (ctx: TableContext, outcome: RowOutcome) => void | Promise<void>;
  skip?: boolean;
  only?: boolean;
}

export interface TableOptions {
  /** Start time for the fake clock (default 2024-01-01T00:00:00Z). */
  now?: number;
  client?: Omit<FakeApiClientOptions, 'clock'>;
}

export interface RowOutcome {
  error?: unknown;
  result?: ReconcileResult | void;
  requeueAfterMs?: number;
}

/** Register one node:test per row (call inside a `describe`). */
export function runTable(rows: TableRow[], factory: ReconcilerFactory, opts: TableOptions = {}): void {
  for (const row of rows) {
    test(row.name, { skip: row.skip, only: row.only }, async () => {
      await runRow(row, factory, opts);
    });
  }
}

/** Build the world for a row without running it (for custom tests that step by hand). */
export async function setupRow(objects: KObject[] | undefined, factory: ReconcilerFactory, opts: TableOptions = {}): Promise<{ ctx: TableContext; reconciler: Reconciler }> {
  const clock = new FakeClock(opts.now);
  const client = new FakeApiClient({ ...opts.client, clock });
  client.seedAsIs(...(objects ?? []));
  const logger = new MemoryLogger();
  const informers = new SharedInformerFactory(client, { clock, logger });
  const ctx: TableContext = { client, informers, recorder: new FakeEventRecorder(), clock, logger };
  const reconciler = factory(ctx);
  informers.start();
  await informers.waitForSync();
  await settle();
  client.clearActions();
  return { ctx, reconciler };
}

/** Run one row and assert every want. Returns what happened for further checks. */
export async function runRow(row: TableRow, factory: ReconcilerFactory, opts: TableOptions = {}): Promise<RowOutcome> {
  const { ctx, reconciler } = await setupRow(row.objects, factory, opts);
  try {
    row.withClient?.(ctx.client);
    const outcome: RowOutcome = {};
    try {
      outcome.result = await reconciler.reconcile(row.key);
      outcome.requeueAfterMs = outcome.result?.requeueAfterMs;
    } catch (err) {
      const delay = requeueDelayOf(err);
      if (delay !== undefined) outcome.requeueAfterMs = delay;
      else outcome.error = err;
    }
    checkError(row, outcome.error);
    assert.equal(outcome.requeueAfterMs, row.wantRequeueAfterMs, `${row.name}: requeueAfterMs`);

    const c = ctx.client;
    assert.deepStrictEqual(c.creates().map(wire), (row.wantCreates ?? []).map(wire), `${row.name}: unexpected creates`);
    assert.deepStrictEqual(c.updates().map(wire), (row.wantUpdates ?? []).map(wire), `${row.name}: unexpected updates`);
    assert.deepStrictEqual(c.statusUpdates().map(wire), (row.wantStatusUpdates ?? []).map(wire), `${row.name}: unexpected status updates`);
    const gotPatches = c.patches().map((a, i) => {
      const want = row.wantPatches?.[i];
      const got: WantPatch = { namespace: a.namespace, name: a.name!, patch: wire(a.patch) };
      if (want?.gr !== undefined) got.gr = a.gr;
      if (want?.patchType !== undefined) got.patchType = a.patchType;
      if (want?.subresource !== undefined) got.subresource = a.subresource;
      return got;
    });
    assert.deepStrictEqual(gotPatches, (row.wantPatches ?? []).map((p) => ({ ...p, patch: wire(p.patch) })), `${row.name}: unexpected patches`);
    const gotDeletes = c.deletes().map((a, i) => {
      const got: WantDelete = { namespace: a.namespace, name: a.name! };
      if (row.wantDeletes?.[i]?.gr !== undefined) got.gr = a.gr;
      return got;
    });
    assert.deepStrictEqual(gotDeletes, row.wantDeletes ?? [], `${row.name}: unexpected deletes`);
    assert.deepStrictEqual(ctx.recorder.events, row.wantEvents ?? [], `${row.name}: unexpected events`);
    await row.postConditions?.(ctx, outcome);
    return outcome;
  } finally {
    ctx.informers.stop();
  }
}

function checkError(row: TableRow, err: unknown): void {
  const want = row.wantErr;
  const msg = err instanceof Error ? err.message : String(err);
  if (want === undefined || want === false) {
    if (err !== undefined) assert.fail(`${row.name}: unexpected error: ${err instanceof Error ? (err.stack ?? msg) : msg}`);
    return;
  }
  assert.ok(err !== undefined, `${row.name}: wanted an error, got none`);
  if (typeof want === 'string') assert.equal(msg, want, `${row.name}: error message`);
  else if (want instanceof RegExp) assert.match(msg, want, `${row.name}: error message`);
}

/** What would go over the wire: drops undefined fields so `{a: undefined}` equals `{}`. */
export function wire<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Let queued microtasks and watch deliveries run (no timers involved). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}
