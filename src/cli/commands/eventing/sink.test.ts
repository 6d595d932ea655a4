import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { destinationText, guessResource, parseSink, REFERENCE_MAPPINGS, sinkSpecText, SinkParseError } from './sink.js';

const KSVC = { group: 'serving.knative.dev', version: 'v1', resource: 'services' };

describe('parseSink (kn sink grammar)', () => {
  test('prefixes, bare names and namespaces', () => {
    assert.deepEqual(parseSink('event-display', 'default'), { type: 'ref', gvr: KSVC, name: 'event-display', namespace: 'default' });
    assert.deepEqual(parseSink('ksvc:event-display:other', 'default'), { type: 'ref', gvr: KSVC, name: 'event-display', namespace: 'other' });
    assert.deepEqual(parseSink('kservice:x', 'ns1'), { type: 'ref', gvr: KSVC, name: 'x', namespace: 'ns1' });
    assert.deepEqual(parseSink('broker:default', 'n'), { type: 'ref', gvr: { group: 'eventing.knative.dev', version: 'v1', resource: 'brokers' }, name: 'default', namespace: 'n' });
    assert.deepEqual(parseSink('channel:pipe', 'n'), { type: 'ref', gvr: { group: 'messaging.knative.dev', version: 'v1', resource: 'channels' }, name: 'pipe', namespace: 'n' });
    assert.deepEqual(parseSink('svc:receiver:mynamespace', 'n'), { type: 'ref', gvr: { group: '', version: 'v1', resource: 'services' }, name: 'receiver', namespace: 'mynamespace' });
  });

  test('URLs, including ports and paths', () => {
    assert.deepEqual(parseSink('http://127.0.0.1:8080/path?q=1', 'n'), { type: 'url', url: 'http://127.0.0.1:8080/path?q=1' });
    assert.deepEqual(parseSink('https://event.receiver.uri', 'n'), { type: 'url', url: 'https://event.receiver.uri' });
  });

  test('GROUP/VERSION/RESOURCE (a singular kind is pluralised, lower-cased; v1/RESOURCE is core)', () => {
    assert.deepEqual(parseSink('special.eventing.dev/v1alpha1/channels:pipe', 'n'), {
      type: 'ref',
      gvr: { group: 'special.eventing.dev', version: 'v1alpha1', resource: 'channels' },
      name: 'pipe',
      namespace: 'n',
    });
    assert.deepEqual(parseSink('messaging.knative.dev/v1/InMemoryChannel:imc:x', 'n'), {
      type: 'ref',
      gvr: { group: 'messaging.knative.dev', version: 'v1', resource: 'inmemorychannels' },
      name: 'imc',
      namespace: 'x',
    });
    assert.deepEqual(parseSink('v1/pod:p', 'n'), { type: 'ref', gvr: { group: '', version: 'v1', resource: 'pods' }, name: 'p', namespace: 'n' });
  });

  test('errors name the flag and say what is wrong', () => {
    const err = (text: string, flag = 'sink') => {
      try {
        parseSink(text, 'n', { flag });
      } catch (e) {
        assert.ok(e instanceof SinkParseError);
        assert.equal(e.code, 'SKIFF_ERR_CLI_SINK_INVALID');
        return e.message;
      }
      assert.fail(`no error for ${text}`);
    };
    assert.equal(err('', 'dl-sink'), "invalid value '' for '--dl-sink': a sink is required (ksvc:NAME[:NS], broker:NAME, channel:NAME, svc:NAME[:NS], GROUP/VERSION/RESOURCE:NAME[:NS] or an http(s):// URL)");
    assert.equal(err('ksvc:'), "invalid value 'ksvc:' for '--sink': no name after 'ksvc:'");
    assert.equal(err('ksvc:a:'), "invalid value 'ksvc:a:' for '--sink': no namespace after 'ksvc:a:'");
    assert.equal(err(':a'), "invalid value ':a' for '--sink': the prefix before ':' is empty (ksvc:NAME[:NS], broker:NAME, channel:NAME, svc:NAME[:NS], GROUP/VERSION/RESOURCE:NAME[:NS] or an http(s):// URL)");
    assert.match(err('foo:bar'), /^invalid value 'foo:bar' for '--sink': unknown prefix 'foo' \(use ksvc:NAME, kservice:NAME, broker:NAME, channel:NAME, svc:NAME, service:NAME, GROUP\/VERSION\/RESOURCE:NAME or an http\(s\):\/\/ URL\)$/);
    assert.equal(err('ftp://host/x'), "invalid value 'ftp://host/x' for '--sink': only http and https URLs are supported");
    assert.equal(err('http://'), "invalid value 'http://' for '--sink': not a valid URL");
    assert.match(err('a/b/c/d:x'), /'a\/b\/c' is not a GROUP\/VERSION/);
    assert.match(err('g/v/:x'), /no resource after 'g\/v\/'/);
  });

  test('eventtype --reference: only broker/channel prefixes, a bare name needs one', () => {
    assert.throws(() => parseSink('x', 'n', { flag: 'reference', mappings: REFERENCE_MAPPINGS }), /invalid value 'x' for '--reference': a prefix is required: broker:NAME or channel:NAME/);
    assert.throws(() => parseSink('ksvc:x', 'n', { flag: 'reference', mappings: REFERENCE_MAPPINGS }), /unknown prefix 'ksvc' \(use broker:NAME, channel:NAME, GROUP\/VERSION\/RESOURCE:NAME\)/);
    assert.equal(parseSink('broker:b', 'n', { mappings: REFERENCE_MAPPINGS }).type, 'ref');
  });
});

describe('sink text (list columns)', () => {
  test('guessResource follows Kubernetes pluralisation', () => {
    assert.equal(guessResource('Service'), 'services');
    assert.equal(guessResource('InMemoryChannel'), 'inmemorychannels');
    assert.equal(guessResource('Policy'), 'policies');
    assert.equal(guessResource('Ingress'), 'ingresses');
  });

  test('known kinds use their alias; the namespace only when it is not the owner’s', () => {
    const ref = (apiVersion: string, kind: string, name: string, namespace = 'default') => ({ ref: { apiVersion, kind, name, namespace } });
    assert.equal(destinationText(ref('serving.knative.dev/v1', 'Service', 'event-display'), 'default'), 'ksvc:event-display');
    assert.equal(destinationText(ref('serving.knative.dev/v1', 'Service', 'event-display', 'other'), 'default'), 'ksvc:event-display:other');
    assert.equal(destinationText(ref('eventing.knative.dev/v1', 'Broker', 'b1'), 'default'), 'broker:b1');
    assert.equal(destinationText(ref('messaging.knative.dev/v1', 'Channel', 'c'), 'default'), 'channel:c');
    assert.equal(destinationText(ref('v1', 'Service', 'display'), 'default'), 'svc:display');
    assert.equal(destinationText(ref('messaging.knative.dev/v1', 'InMemoryChannel', 'imc'), 'default'), 'inmemorychannels.messaging.knative.dev/v1:imc');
    assert.equal(destinationText({ uri: 'http://x.example.com/' }, 'default'), 'http://x.example.com/');
    assert.equal(destinationText({ ...ref('serving.knative.dev/v1', 'Service', 'h'), uri: '/path' }, 'default'), 'ksvc:h/path');
    assert.equal(destinationText(undefined, 'default'), '');
  });

  test('sinkSpecText round-trips what was parsed', () => {
    assert.equal(sinkSpecText(parseSink('event-display', 'default'), 'default'), 'ksvc:event-display');
    assert.equal(sinkSpecText(parseSink('kservice:a:ns2', 'default'), 'default'), 'ksvc:a:ns2');
    assert.equal(sinkSpecText(parseSink('http://h/', 'default'), 'default'), 'http://h/');
  });
});
