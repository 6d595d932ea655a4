import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/meta.js';
import type { ApiResource } from '../../discovery.js';
import { renderListTable } from '../../knative-format.js';
import {
  buildChannel,
  CHANNEL_LIST_HEADERS,
  CHANNEL_TYPES_HEADERS,
  channelListRows,
  channelTypeRows,
  channelTypes,
  describeChannel,
  parseChannelRef,
  parseChannelType,
} from './format.js';

const NOW = Date.parse('2024-05-10T15:00:00Z');
const CREATED = '2024-05-10T14:59:56Z';

function channel(name: string, kind: string | undefined, url?: string, ready?: boolean): KObject {
  return {
    apiVersion: 'messaging.knative.dev/v1',
    kind: 'Channel',
    metadata: { name, namespace: 'default', creationTimestamp: CREATED },
    spec: kind ? { channelTemplate: { apiVersion: 'messaging.knative.dev/v1', kind } } : {},
    status: { ...(url ? { address: { url } } : {}), conditions: ready === undefined ? [] : [{ type: 'Ready', status: ready ? 'True' : 'False', ...(ready ? {} : { reason: 'NotReady' }), lastTransitionTime: CREATED }] },
  };
}

const res = (group: string, name: string, kind: string, preferred = true): ApiResource => ({
  group,
  version: 'v1',
  name,
  singularName: name.slice(0, -1),
  kind,
  namespaced: true,
  shortNames: [],
  categories: [],
  verbs: [],
  subresources: [],
  preferred,
});

describe('channel --type / --channel', () => {
  test('aliases and Group:Version:Kind', () => {
    assert.deepEqual(parseChannelType('imc'), { group: 'messaging.knative.dev', version: 'v1', kind: 'InMemoryChannel' });
    assert.deepEqual(parseChannelType('messaging.knative.dev:v1beta1:KafkaChannel'), { group: 'messaging.knative.dev', version: 'v1beta1', kind: 'KafkaChannel' });
    assert.throws(() => parseChannelType('kafka'), /unknown channel type alias: 'kafka'/);
    assert.throws(() => parseChannelType('a::c'), /incorrect value 'a::c' for '--type', must be in the format 'Group:Version:Kind'/);
    assert.throws(() => parseChannelType('a:b'), /incorrect value 'a:b' for '--type'/);
  });

  test("subscription --channel: NAME, ALIAS:NAME, G:V:K:NAME", () => {
    assert.deepEqual(parseChannelRef('imc01'), { apiVersion: 'messaging.knative.dev/v1', kind: 'Channel', name: 'imc01' });
    assert.deepEqual(parseChannelRef('imc:pipe'), { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel', name: 'pipe' });
    assert.deepEqual(parseChannelRef('messaging.knative.dev:v1beta1:KafkaChannel:k1'), { apiVersion: 'messaging.knative.dev/v1beta1', kind: 'KafkaChannel', name: 'k1' });
    assert.throws(() => parseChannelRef('kafka:k1'), /unknown alias 'kafka' for '--channel'/);
    assert.throws(() => parseChannelRef('a:b:c'), /incorrect value 'a:b:c' for '--channel'/);
    assert.throws(() => parseChannelRef('imc:'), /no name after 'imc:'/);
  });

  test('buildChannel sets channelTemplate only when a type is given', () => {
    assert.deepEqual(buildChannel('imc01', 'default', parseChannelType('imc')).spec, { channelTemplate: { apiVersion: 'messaging.knative.dev/v1', kind: 'InMemoryChannel' } });
    assert.deepEqual(buildChannel('c', 'default').spec, {});
  });
});

describe('channel list / list-types / describe', () => {
  test("the seed's list", () => {
    const items = [channel('imc01', 'InMemoryChannel', 'http://imc01-kn-channel.default.svc.cluster.local', true), channel('new', undefined, undefined, false)];
    assert.equal(
      renderListTable(CHANNEL_LIST_HEADERS, channelListRows(items, NOW, false)),
      [
        'NAME    TYPE              URL                                                 AGE   READY   REASON',
        'imc01   InMemoryChannel   http://imc01-kn-channel.default.svc.cluster.local   4s    True    ',
        'new                                                                           4s    False   NotReady',
        '',
      ].join('\n'),
    );
  });

  test("list-types: the served *Channel kinds of messaging.knative.dev (not Channel itself), kn's descriptions", () => {
    const types = channelTypes([
      res('messaging.knative.dev', 'channels', 'Channel'),
      res('messaging.knative.dev', 'subscriptions', 'Subscription'),
      res('messaging.knative.dev', 'inmemorychannels', 'InMemoryChannel'),
      res('messaging.knative.dev', 'inmemorychannels', 'InMemoryChannel', false),
      res('messaging.knative.dev', 'kafkachannels', 'KafkaChannel'),
      res('other.dev', 'xchannels', 'XChannel'),
    ]);
    assert.equal(
      renderListTable(CHANNEL_TYPES_HEADERS, channelTypeRows(types)),
      [
        'TYPE              NAME                                     DESCRIPTION',
        'InMemoryChannel   inmemorychannels.messaging.knative.dev   The events are stored in memory',
        'KafkaChannel      kafkachannels.messaging.knative.dev      The events are stored in a Kafka cluster (must be installed separately)',
        '',
      ].join('\n'),
    );
  });

  test('describe: Type (Kind (apiVersion)), URL, conditions', () => {
    assert.equal(
      describeChannel(channel('imc01', 'InMemoryChannel', 'http://imc01-kn-channel.default.svc.cluster.local', true), NOW, false),
      [
        'Name:       imc01',
        'Namespace:  default',
        'Age:        4s',
        'Type:       InMemoryChannel (messaging.knative.dev/v1)',
        'URL:        http://imc01-kn-channel.default.svc.cluster.local',
        '',
        'Conditions:  ',
        '  OK TYPE     AGE REASON',
        '  ++ Ready     4s ',
        '',
      ].join('\n'),
    );
  });
});
