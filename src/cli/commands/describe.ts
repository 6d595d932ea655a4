// `skiff describe`: one object (or every object of a kind) in kubectl's
// describe layout, with the Events recorded for it.
import type { KObject } from '../../api/meta.js';
import type { Command } from '../command.js';
import { describeObject } from '../describe.js';
import { ServerError } from '../errors.js';
import type { KubeClient } from '../http.js';
import type { Discovery } from '../discovery.js';
import { refuseNamesAcrossNamespaces, requestNamespace, resolveTargets, withTypeMeta } from './common.js';

/** Events about `obj`: by involvedObject.uid, else (server without that field selector) by name and kind. */
export async function eventsFor(client: KubeClient, disc: Discovery, obj: KObject): Promise<KObject[] | undefined> {
  const events = disc.lookup('events');
  if (!events || events.group !== '') return undefined;
  const ns = obj.metadata.namespace;
  try {
    if (obj.metadata.uid) return (await client.list(events, ns, { fieldSelector: `involvedObject.uid=${obj.metadata.uid}` })).items;
  } catch (e) {
    if (!(e instanceof ServerError) || e.status !== 400) throw e;
  }
  const all = (await client.list(events, ns)).items;
  return all.filter((ev) => ev.involvedObject?.name === obj.metadata.name && ev.involvedObject?.kind === obj.kind);
}

export const describeCommand: Command = {
  name: 'describe',
  summary: 'Show details of a resource or group of resources',
  usage: 'describe KIND [NAME...] [-n NS] [-l SELECTOR]',
  examples: ['skiff describe ksvc hello', 'skiff describe pod/hello-00001-deployment-abc12', 'skiff describe brokers'],
  flags: [{ name: 'selector', short: 'l', type: 'string', description: 'label selector' }],
  async run(ctx, flags) {
    const client = await ctx.client();
    const disc = await client.discovery();
    const { targets } = resolveTargets(disc, flags.positionals);
    refuseNamesAcrossNamespaces(ctx, targets);
    const now = Date.now();
    const texts: string[] = [];
    const errors: ServerError[] = [];
    for (const t of targets) {
      const r = t.resource;
      let objects: KObject[] = [];
      if (t.names.length === 0) {
        objects = (await client.list(r, requestNamespace(ctx, r), { labelSelector: flags.string('selector') })).items;
      } else {
        for (const name of t.names) {
          try {
            objects.push(await client.get(r, r.namespaced ? ctx.namespace() : undefined, name));
          } catch (e) {
            if (e instanceof ServerError) errors.push(e);
            else throw e;
          }
        }
      }
      for (const o of objects) {
        const obj = withTypeMeta(r, o);
        texts.push(describeObject(obj, await eventsFor(client, disc, obj), now, { namespaced: r.namespaced }));
      }
    }
    ctx.out(texts.join('\n'));
    for (const e of errors) ctx.err(`${e.render()}\n`);
    if (!texts.length && !errors.length) ctx.err(ctx.globals.allNamespaces ? 'No resources found\n' : `No resources found in ${ctx.namespace()} namespace.\n`);
    return errors.length ? 1 : 0;
  },
};
