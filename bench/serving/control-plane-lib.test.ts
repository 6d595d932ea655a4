// Checks for the pure parts of the control-plane bench kit (control-plane-lib.ts).
// Not picked up by scripts/run-tests.mjs (it only walks dist/src and dist/test):
//   node --test dist/bench/serving/control-plane-lib.test.js
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAllDocuments } from 'yaml';
import { parseVmStatus, servicesYaml } from './control-plane-lib.js';

describe('control-plane bench kit', () => {
  test('parseVmStatus reads VmRSS and VmHWM in kB', () => {
    const text = 'Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  778240 kB\nVmRSS:\t  377856 kB\nThreads:\t11\n';
    assert.deepEqual(parseVmStatus(text), { rssKb: 377856, hwmKb: 778240 });
    assert.ok(Number.isNaN(parseVmStatus('Name: x\n').rssKb));
  });

  test('servicesYaml makes N Knative Services with the given template annotations', () => {
    const docs = parseAllDocuments(servicesYaml('idle-', 3, { 'autoscaling.knative.dev/initial-scale': '0' })).map((d) => d.toJS());
    assert.equal(docs.length, 3);
    assert.deepEqual(
      docs.map((d) => d.metadata.name),
      ['idle-0', 'idle-1', 'idle-2'],
    );
    assert.equal(docs[2].kind, 'Service');
    assert.equal(docs[1].spec.template.metadata.annotations['autoscaling.knative.dev/initial-scale'], '0');
    assert.equal(docs[0].spec.template.spec.containers[0].image, 'ikubernetes/helloworld-go');
  });
});
