// Process tests (real spawns) for users' own workloads: a `local:` Node app
// directory serving on PORT, and configMap/secret/emptyDir volumes seen by the
// process at their mountPaths (or, without mount namespaces, through the fallback).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeAgent } from './agent.js';
import { detectMountNamespaces, VOLUME_FALLBACK_ANNOTATION } from './process/local-volumes.js';
import { hostPortFor } from './process/ports.js';
import { httpGet, podManifest, testApi, waitFor, type TestApi } from './test-helpers.js';

let api: TestApi;
let agent: NodeAgent;
let appDir: string;
let namespaces: boolean;

const get = (name: string) => api.client.get('core/pods', 'default', name);
const ready = (name: string) =>
  waitFor(`${name} ready`, async () => {
    const p = await get(name);
    return p?.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True' && p;
  });

before(async () => {
  api = await testApi();
  namespaces = await detectMountNamespaces();
  agent = new NodeAgent({ client: api.client, dataDir: api.dataDir, backoff: { initialMs: 100 }, probePeriodMs: 50, volumeRefreshMs: 100 });
  await agent.start();
  appDir = await mkdtemp(join(tmpdir(), 'skiff-app-'));
});

after(async () => {
  await agent.stop();
  await api.close();
  await rm(appDir, { recursive: true, force: true });
});

// Answers the content of the file named by ?f= (resolved through $SKIFF_VOLUME_<V> when given as V:name).
const FILE_SERVER = `const http=require('http'),fs=require('fs');http.createServer((q,s)=>{let f=new URL(q.url,'http://x').searchParams.get('f');const m=/^([A-Z_]+):(.*)$/.exec(f);if(m)f=process.env['SKIFF_VOLUME_'+m[1]]+'/'+m[2];try{if(q.method==='POST'){fs.writeFileSync(f,'written');}s.end(fs.readFileSync(f))}catch(e){s.statusCode=500;s.end(e.message)}}).listen(Number(process.env.PORT),'127.0.0.1');`;

describe('local workloads', () => {
  test('a local: directory with package.json start → npm start serving HTTP on PORT', async () => {
    await writeFile(join(appDir, 'package.json'), JSON.stringify({ name: 'app', private: true, scripts: { start: 'node server.js' } }));
    await writeFile(join(appDir, 'server.js'), `require('http').createServer((q,s)=>s.end('hello from '+process.cwd())).listen(Number(process.env.PORT),'127.0.0.1');`);
    await api.client.create('core/pods', podManifest('localapp', { containers: [{ name: 'user-container', image: `local:${appDir}`, ports: [{ containerPort: 8080 }] }] }));
    const pod = await ready('localapp');
    assert.equal(pod.status.containerStatuses[0].imageID, `local://${appDir}`);
    const r = await waitFor('app answers', () => httpGet(hostPortFor(pod, 8080)!));
    assert.deepEqual([r.status, r.body], [200, `hello from ${appDir}`]);
  });

  test('a local directory with nothing to run: ErrImagePull naming what was looked for', async () => {
    const empty = join(appDir, 'empty');
    await mkdir(empty);
    await api.client.create('core/pods', podManifest('emptyapp', { containers: [{ name: 'c', image: `file://${empty}` }] }));
    const w = await waitFor('ErrImagePull', async () => (await get('emptyapp'))?.status?.containerStatuses?.[0]?.state?.waiting);
    assert.equal(w.reason, 'ErrImagePull');
    assert.match(w.message, /looked for package.json with a "start" script, then an executable file "run" or "start"/);
  });

  test('configMap key, decoded secret and a writable emptyDir at their mountPaths; configMap edits reach the files', async () => {
    await api.client.create('core/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hola' } });
    await api.client.create('core/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'sec', namespace: 'default' }, data: { token: Buffer.from('s3cret').toString('base64') } });
    const cfgPath = `/etc/skiff-lw-cfg-${process.pid}/app`;
    const secPath = `/var/skiff-lw-secret-${process.pid}`;
    const dataPath = `/skiff-lw-data-${process.pid}`;
    await api.client.create(
      'core/pods',
      podManifest('vols', {
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'greeting', path: 'greeting.txt' }] } },
          { name: 'sec', secret: { secretName: 'sec' } },
          { name: 'scratch', emptyDir: {} },
        ],
        containers: [
          {
            name: 'c',
            image: 'node',
            command: [process.execPath, '-e', FILE_SERVER],
            ports: [{ containerPort: 8080 }],
            volumeMounts: [
              { name: 'cfg', mountPath: cfgPath },
              { name: 'sec', mountPath: secPath, readOnly: true },
              { name: 'scratch', mountPath: dataPath },
            ],
          },
        ],
      }),
    );
    const pod = await ready('vols');
    const port = hostPortFor(pod, 8080)!;
    const at = (ns: string, fb: string) => (namespaces ? ns : fb);
    const fetchFile = (f: string) => httpGet(port, `/?f=${encodeURIComponent(f)}`).then((r) => r.body);
    await waitFor('server up', () => httpGet(port, '/?f=/dev/null'));
    assert.equal(await fetchFile(at(`${cfgPath}/greeting.txt`, 'CFG:greeting.txt')), 'hola');
    assert.equal(await fetchFile(at(`${secPath}/token`, 'SEC:token')), 's3cret');
    const wrote = await new Promise<string>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: `/?f=${encodeURIComponent(at(`${dataPath}/out`, 'SCRATCH:out'))}` }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d)).on('end', () => resolve(b));
        });
        req.on('error', reject).end();
      });
    });
    assert.equal(wrote, 'written');
    if (namespaces) {
      // Nothing was created on the host's own file system.
      assert.ok(!existsSync(cfgPath.slice(0, cfgPath.lastIndexOf('/'))) && !existsSync(secPath) && !existsSync(dataPath));
      assert.equal((await get('vols'))?.metadata.annotations?.[VOLUME_FALLBACK_ANNOTATION], undefined);
    } else {
      assert.match((await get('vols'))?.metadata.annotations?.[VOLUME_FALLBACK_ANNOTATION] ?? '', /SKIFF_VOLUME_/);
    }
    const cm = await api.client.get('core/configmaps', 'default', 'cfg');
    await api.client.update('core/configmaps', { ...cm!, data: { greeting: 'adios' } });
    await waitFor('refreshed configMap file', async () => (await fetchFile(at(`${cfgPath}/greeting.txt`, 'CFG:greeting.txt'))) === 'adios', 3000);
  });
});
