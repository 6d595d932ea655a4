import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/meta.js';
import { ContainerConfigError, expandVars, referencedSources, resolveArgv, resolveContainerConfig, resolveContainerEnv, type ConfigSources } from './container-config.js';

const pod: KObject = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { note: 'hi' } },
  spec: { nodeName: 'skiff', containers: [] },
  status: { podIP: '127.0.0.1' },
};

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sources: ConfigSources = {
  configMap: (n) => (n === 'cfg' ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { MODE: 'fast', 'log.level': 'debug', GREETING: 'hello $(NAME)' } } : undefined),
  secret: (n) => (n === 'creds' ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { password: b64('s3cr3t'), TOKEN: b64('tok') } } : undefined),
};

describe('expandVars (kubelet $(VAR) rules)', () => {
  const vars: Record<string, string> = { A: 'x', B: 'y' };
  const look = (n: string) => vars[n];
  test('defined references expand, undefined ones stay verbatim', () => {
    assert.equal(expandVars('$(A)-$(B)-$(C)', look), 'x-y-$(C)');
  });
  test('$$ escapes, lone $ and unclosed $( are kept', () => {
    assert.equal(expandVars('$$(A)', look), '$(A)');
    assert.equal(expandVars('cost $5 and $$', look), 'cost $5 and $');
    assert.equal(expandVars('$(A', look), '$(A');
    assert.equal(expandVars('end$', look), 'end$');
    assert.equal(expandVars('no refs', look), 'no refs');
  });
});

describe('resolveContainerEnv', () => {
  test('envFrom with prefix, then env in order; values reference earlier vars; valueFrom kinds', () => {
    const env = resolveContainerEnv(
      pod,
      {
        envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }, { secretRef: { name: 'creds' } }, { configMapRef: { name: 'missing', optional: true } }],
        env: [
          { name: 'NAME', value: 'world' },
          { name: 'MSG', value: 'hello $(NAME) on $(PORT) $(NOPE)' },
          { name: 'PASS', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } },
          { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'MODE' } } },
          { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } },
        ],
        resources: {},
      },
      sources,
      { PORT: '41000' },
    );
    assert.equal(env.CFG_MODE, 'fast');
    assert.equal(env['CFG_log.level'], 'debug');
    assert.equal(env.CFG_GREETING, 'hello $(NAME)', 'envFrom values are not expanded');
    assert.equal(env.TOKEN, 'tok');
    assert.equal(env.MSG, 'hello world on 41000 $(NOPE)');
    assert.equal(env.PASS, 's3cr3t');
    assert.equal(env.MODE, 'fast');
    assert.equal(env.POD, 'web-1');
    assert.equal(env.NS, 'shop');
    assert.equal(env.APP, 'web');
    assert.equal(env.IP, '127.0.0.1');
    assert.equal('OPT' in env, false);
    assert.equal(env.MEM, '0');
  });

  test('missing configmap/secret/key is a CreateContainerConfigError with kubelet wording, never leaking values', () => {
    const run = (env: any[], envFrom: any[] = []) => () => resolveContainerEnv(pod, { env, envFrom }, sources);
    assert.throws(run([{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }]), (e: any) => e instanceof ContainerConfigError && e.reason === 'CreateContainerConfigError' && e.message === 'configmap "nope" not found');
    assert.throws(run([{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'k' } } }]), /couldn't find key k in Secret shop\/creds/);
    assert.throws(run([], [{ secretRef: { name: 'gone' } }]), /secret "gone" not found/);
    assert.throws(run([{ name: 'X', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }]), /unsupported fieldPath "spec.bogus"/);
  });

  test('referencedSources collects names from env and envFrom', () => {
    const r = referencedSources([{ envFrom: [{ configMapRef: { name: 'a' } }], env: [{ name: 'x', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }] }]);
    assert.deepEqual([...r.configMaps], ['a']);
    assert.deepEqual([...r.secrets], ['s']);
  });
});

describe('resolveArgv (ENTRYPOINT/CMD rules)', () => {
  const image = { command: ['/bin/server'], args: ['--default'] };
  const env = { PORT: '41000', NAME: 'w' };
  test('no command/args: image entrypoint + default args', () => assert.deepEqual(resolveArgv({}, image, env), ['/bin/server', '--default']));
  test('args only replace default args', () => assert.deepEqual(resolveArgv({ args: ['--port=$(PORT)'] }, image, env), ['/bin/server', '--port=41000']));
  test('command replaces entrypoint and drops default args', () => assert.deepEqual(resolveArgv({ command: ['sh', '-c', 'echo $(NAME)'] }, image, env), ['sh', '-c', 'echo w']));
  test('command + args', () => assert.deepEqual(resolveArgv({ command: ['node'], args: ['app.js', '$$(PORT)'] }, image, env), ['node', 'app.js', '$(PORT)']));
});

describe('resolveContainerConfig', () => {
  test('injected PORT wins over the container env and is visible to args; workingDir beats image cwd', () => {
    const cfg = resolveContainerConfig({
      pod,
      container: { command: ['srv'], args: ['$(PORT)'], env: [{ name: 'PORT', value: '8080' }], workingDir: '/srv' },
      image: { command: [], cwd: '/img' },
      sources,
      baseEnv: { PATH: '/bin' },
      injected: { PORT: '41000' },
    });
    assert.deepEqual(cfg.argv, ['srv', '41000']);
    assert.equal(cfg.env.PORT, '41000');
    assert.equal(cfg.env.PATH, '/bin');
    assert.equal(cfg.cwd, '/srv');
  });
  test('no command at all is an error', () => {
    assert.throws(() => resolveContainerConfig({ pod, container: {}, image: undefined, sources, baseEnv: {}, injected: {} }), /no command specified/);
  });
});
