import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../controller/clock.js';
import { SharedInformerFactory } from '../../../controller/informer.js';
import { MemoryLogger } from '../../../controller/logger.js';
import { FakeApiClient } from '../../../controller/testing/fake-client.js';
import { settle } from '../../../controller/testing/table.js';
import { lookupDomainForLabels } from '../../config/domain.js';
import { RoutingConfigStore } from './config-store.js';
import { configMap } from './testing/fixtures.js';

describe('RoutingConfigStore', () => {
  test('follows config-domain / config-network / config-features, notifies on change, keeps the last good config on bad edits', async () => {
    const clock = new FakeClock();
    const client = new FakeApiClient({ clock });
    client.seed(configMap('config-domain', { 'example.com': '' }), configMap('config-autoscaler', {}));
    const informers = new SharedInformerFactory(client, { clock });
    const logger = new MemoryLogger();
    const store = new RoutingConfigStore(informers, logger);
    let changes = 0;
    store.onChange(() => changes++);
    informers.start();
    await informers.waitForSync();
    await settle();
    try {
      assert.equal(lookupDomainForLabels(store.current().domain, {}), 'example.com');
      assert.equal(changes, 1, 'config-domain seen; config-autoscaler is not ours');

      await client.create('core/configmaps', configMap('config-network', { 'rollout-duration': '60', typo: 'x' }));
      await client.create('core/configmaps', configMap('config-features', { 'tag-header-based-routing': 'Enabled' }));
      await settle();
      assert.equal(store.current().network.rolloutDurationSecs, 60);
      assert.equal(store.current().tagHeaderBasedRouting, true);
      assert.equal(changes, 3);
      assert.ok(logger.entries.some((e) => e.level === 'warn' && e.msg.includes('unknown key "typo"')));

      const before = store.current();
      const net = client.peek('core/configmaps', 'knative-serving', 'config-network')!;
      await client.update('core/configmaps', { ...structuredClone(net), data: { 'rollout-duration': 'soon' } });
      await settle();
      assert.equal(store.current(), before, 'invalid edit ignored');
      assert.equal(changes, 3);
      assert.ok(logger.entries.some((e) => e.level === 'error' && String(e.fields?.error).includes('rollout-duration')));

      await client.delete('core/configmaps', 'knative-serving', 'config-domain');
      await settle();
      assert.equal(lookupDomainForLabels(store.current().domain, {}), 'svc.cluster.local', 'deleted → defaults');
      assert.equal(Object.isFrozen(store.current()), true);
    } finally {
      informers.stop();
    }
  });
});
