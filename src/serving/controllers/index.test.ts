import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../controller/clock.js';
import { FakeEventRecorder } from '../../controller/events.js';
import { SharedInformerFactory } from '../../controller/informer.js';
import { FakeApiClient } from '../../controller/testing/fake-client.js';
import { settle } from '../../controller/testing/table.js';
import { startServingRevisionControllers } from './index.js';

function setup() {
  const clock = new FakeClock();
  const client = new FakeApiClient({ clock });
  const informers = new SharedInformerFactory(client, { clock });
  const ctrls = startServingRevisionControllers({ client, informers, recorder: new FakeEventRecorder(), clock });
  return { client, informers, ctrls };
}

describe('startServingRevisionControllers', () => {
  test('five controllers, named as in Knative; workers wait for the informers and stop cleanly', async () => {
    const { client, informers, ctrls } = setup();
    assert.deepEqual(ctrls.controllers.map((c) => c.name), ['service-controller', 'configuration-controller', 'revision-controller', 'labeler-controller', 'revision-gc-controller']);
    let ready = false;
    void ctrls.ready.then(() => (ready = true));
    await settle();
    assert.equal(ready, false, 'not before the informers are started and synced');
    informers.start();
    await ctrls.ready;
    // Every informer the controllers read is being watched.
    for (const gr of ['serving.knative.dev/services', 'serving.knative.dev/revisions', 'apps/deployments', 'autoscaling.internal.knative.dev/podautoscalers', 'core/pods', 'core/configmaps']) {
      assert.ok(client.activeWatches(gr) >= 1, gr);
    }
    await ctrls.stop();
    await ctrls.stop();
    informers.stop();
  });

  test('stop before the informers ever start: nothing starts, nothing hangs', async () => {
    const { ctrls } = setup();
    await ctrls.stop();
    await ctrls.ready;
    assert.ok(ctrls.controllers.every((c) => c.stats.reconciles === 0));
  });
});
