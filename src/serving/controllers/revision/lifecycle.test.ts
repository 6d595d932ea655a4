import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../controller/clock.js';
import { cond, paStatus, T0 } from './fixtures.js';
import { deploymentReadyCondition, hasDeploymentTimedOut, propagateAutoscalerStatus, propagateDeploymentStatus, revisionConditionSet, type RevisionStatus } from './lifecycle.js';

const set = revisionConditionSet.withClock(new FakeClock(Date.parse(T0)));
const fresh = (): RevisionStatus => set.initialize({});
const get = (s: RevisionStatus, t: string) => s.conditions!.find((c) => c.type === t)!;
const brief = (s: RevisionStatus, t: string) => {
  const c = get(s, t);
  return c ? [c.status, c.reason ?? '', c.message ?? ''].join('|') : 'absent';
};

describe('deployment readiness (TransformDeploymentStatus)', () => {
  test('Unknown Deploying until Progressing is reported; True when it is; False with the deployment reason', () => {
    assert.deepEqual(deploymentReadyCondition(undefined), { status: 'Unknown', reason: 'Deploying' });
    assert.deepEqual(deploymentReadyCondition({ conditions: [{ type: 'Progressing', status: 'True' }] }), { status: 'True' });
    const pde = { conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' }] };
    assert.deepEqual(deploymentReadyCondition(pde), { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "x" has timed out progressing.' });
    assert.equal(hasDeploymentTimedOut({ status: pde }), true);
    assert.equal(hasDeploymentTimedOut({ status: { conditions: [{ type: 'Progressing', status: 'True' }] } }), false);
  });

  test('ReplicaFailure=True fails the deployment even while progressing', () => {
    const st = { conditions: [{ type: 'Progressing', status: 'True' }, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota' }] };
    assert.deepEqual(deploymentReadyCondition(st), { status: 'False', reason: 'FailedCreate', message: 'quota' });
    const s = propagateDeploymentStatus(set, fresh(), st);
    assert.equal(brief(s, 'ResourcesAvailable'), 'False|FailedCreate|quota');
    assert.equal(brief(s, 'Ready'), 'False|FailedCreate|quota');
  });
});

describe('propagateAutoscalerStatus', () => {
  test('a PA without status: Active and ResourcesAvailable Unknown Deploying, no replica counts', () => {
    const s = propagateAutoscalerStatus(set, { ...fresh(), actualReplicas: 3 }, undefined);
    assert.equal(brief(s, 'Active'), 'Unknown|Deploying|');
    assert.equal(brief(s, 'ResourcesAvailable'), 'Unknown|Deploying|');
    assert.equal(s.actualReplicas, undefined);
    assert.equal(get(s, 'Active').severity, 'Info', 'Active is informational');
  });

  test('scale target initialised with a service: Ready; Active mirrors the PA', () => {
    const s = propagateAutoscalerStatus(set, fresh(), paStatus({ ready: 'True', initialized: true, serviceName: 'a-00001', desired: 1, actual: 1 }));
    assert.equal(brief(s, 'Ready'), 'True||');
    assert.equal(brief(s, 'Active'), 'True||');
    assert.equal(s.actualReplicas, 1);
    assert.equal(s.desiredReplicas, 1);
  });

  test('scaled to zero after initialisation: still Ready, Active False NoTraffic', () => {
    const s = propagateAutoscalerStatus(set, fresh(), paStatus({ ready: 'False', reason: 'NoTraffic', message: 'The target is not receiving traffic.', initialized: true, serviceName: 'a', desired: 0, actual: 0 }));
    assert.equal(brief(s, 'Ready'), 'True||');
    assert.equal(brief(s, 'Active'), 'False|NoTraffic|The target is not receiving traffic.');
    assert.equal(s.desiredReplicas, 0);
  });

  test('activating: Active Unknown Queued, resources not yet available', () => {
    const s = propagateAutoscalerStatus(set, fresh(), paStatus({ ready: 'Unknown', reason: 'Queued', message: 'Requests to the target are being buffered as resources are provisioned.', serviceName: 'a', desired: 1, actual: 0 }));
    assert.equal(brief(s, 'Active'), 'Unknown|Queued|Requests to the target are being buffered as resources are provisioned.');
    assert.equal(get(s, 'Ready').status, 'Unknown');
  });

  test('inactive before ever initialising (activation timed out): ProgressDeadlineExceeded', () => {
    const s = propagateAutoscalerStatus(set, fresh(), paStatus({ ready: 'False', reason: 'TimedOut', message: 'The target could not be activated.', serviceName: 'a', desired: -1, actual: -1 }));
    assert.equal(brief(s, 'ResourcesAvailable'), 'False|ProgressDeadlineExceeded|Initial scale was never achieved');
    assert.equal(brief(s, 'Ready'), 'False|ProgressDeadlineExceeded|Initial scale was never achieved');
    assert.equal(s.desiredReplicas, undefined, 'negative scales are omitted');
    assert.equal(s.actualReplicas, undefined);
  });

  test('a container failure is never overwritten by PA initialisation', () => {
    const failed = set.markFalse(fresh(), 'ContainerHealthy', 'ExitCode1', 'Container failed with: boom');
    const s = propagateAutoscalerStatus(set, failed, paStatus({ ready: 'True', initialized: true, serviceName: 'a' }));
    assert.equal(brief(s, 'ContainerHealthy'), 'False|ExitCode1|Container failed with: boom');
    assert.equal(brief(s, 'Ready'), 'False|ExitCode1|Container failed with: boom');
  });

  test('initialised but no service name yet (initial-scale 0): resources Unknown Deploying', () => {
    const s = propagateAutoscalerStatus(set, fresh(), paStatus({ ready: 'False', reason: 'NoTraffic', initialized: true }));
    assert.equal(brief(s, 'ResourcesAvailable'), 'Unknown|Deploying|');
    assert.equal(brief(s, 'ContainerHealthy'), 'True||');
  });

  test('condition helpers keep transition times of unchanged conditions', () => {
    const before: RevisionStatus = { conditions: [cond('Active', 'True', '2023-01-01T00:00:00Z', undefined, undefined, 'Info')] };
    const s = propagateAutoscalerStatus(set, before, paStatus({ ready: 'True', initialized: true, serviceName: 'a' }));
    assert.equal(get(s, 'Active').lastTransitionTime, '2023-01-01T00:00:00Z');
  });
});
