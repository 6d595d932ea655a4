// flows.knative.dev/v1 kinds: Sequence and Parallel. Defaulting/validation as
// pkg/apis/flows/v1/{sequence,parallel}_{defaults,validation}.go (channelTemplate
// from default-ch-webhook); printer columns as config/core/resources/{sequence,parallel}.yaml.
// Deliberate difference: step/branch errors carry the exact field path
// (`spec.steps[1].ref.name`) instead of Knative's "invalid value: <whole step>".
import type { FieldError } from '../errors.js';
import type { KObject } from '../meta.js';
import type { ResourceType } from '../registry.js';
import { featuresFrom } from './config.js';
import { FLOWS_GROUP } from './constants.js';
import type { EventingAdmissionDeps } from './deps.js';
import { COL, defaultDelivery, defaultDestination, isEmptyDestination, isObject, missing, validateDelivery, validateDestination } from './duck.js';
import { defaultChannelTemplate, validateChannelTemplate } from './messaging.js';

const FLOWS_CATEGORIES = ['all', 'knative', 'flows'];

function nsOf(o: KObject): string {
  return o.metadata.namespace || 'default';
}

export function sequenceType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: FLOWS_GROUP,
    version: 'v1',
    kind: 'Sequence',
    plural: 'sequences',
    singular: 'sequence',
    namespaced: true,
    categories: FLOWS_CATEGORIES,
    subresources: { status: true },
    default(o, ctx) {
      const ns = nsOf(o);
      if (!isObject(o.spec)) o.spec = {};
      defaultChannelTemplate(o.spec, ns, ctx);
      if (Array.isArray(o.spec.steps))
        for (const s of o.spec.steps) {
          defaultDestination(s, ns);
          if (isObject(s)) defaultDelivery(s.delivery, ns);
        }
      defaultDestination(o.spec.reply, ns);
    },
    validate(o, _old, ctx) {
      const ns = nsOf(o);
      const features = featuresFrom(ctx.get);
      const rules = { parentNamespace: ns, allowGroup: features.kreferenceGroup };
      const spec = isObject(o.spec) ? o.spec : {};
      const errs: FieldError[] = [];
      if (spec.steps !== undefined && spec.steps !== null && !Array.isArray(spec.steps)) errs.push({ path: 'spec.steps', message: 'invalid value: must be a list', type: 'FieldValueInvalid' });
      else if (!spec.steps?.length) errs.push(missing('spec.steps'));
      else
        spec.steps.forEach((s: unknown, i: number) => {
          errs.push(...validateDestination(s, `spec.steps[${i}]`, rules));
          if (isObject(s)) errs.push(...validateDelivery(s.delivery, `spec.steps[${i}].delivery`, deps.validateDeliverySpec, features, rules));
        });
      errs.push(...validateChannelTemplate(spec.channelTemplate, 'spec.channelTemplate'));
      if (!isEmptyDestination(spec.reply)) errs.push(...validateDestination(spec.reply, 'spec.reply', rules));
      return errs;
    },
    printerColumns: [COL.url, COL.age, COL.ready, COL.reason],
  };
}

export function parallelType(deps: EventingAdmissionDeps): ResourceType {
  return {
    group: FLOWS_GROUP,
    version: 'v1',
    kind: 'Parallel',
    plural: 'parallels',
    singular: 'parallel',
    namespaced: true,
    categories: FLOWS_CATEGORIES,
    subresources: { status: true },
    default(o, ctx) {
      const ns = nsOf(o);
      if (!isObject(o.spec)) o.spec = {};
      defaultChannelTemplate(o.spec, ns, ctx);
      if (Array.isArray(o.spec.branches))
        for (const b of o.spec.branches) {
          if (!isObject(b)) continue;
          defaultDestination(b.filter, ns);
          defaultDestination(b.subscriber, ns);
          defaultDestination(b.reply, ns);
          defaultDelivery(b.delivery, ns);
        }
      defaultDestination(o.spec.reply, ns);
    },
    validate(o, _old, ctx) {
      const ns = nsOf(o);
      const features = featuresFrom(ctx.get);
      const rules = { parentNamespace: ns, allowGroup: features.kreferenceGroup };
      const spec = isObject(o.spec) ? o.spec : {};
      const errs: FieldError[] = [];
      if (spec.branches !== undefined && spec.branches !== null && !Array.isArray(spec.branches))
        errs.push({ path: 'spec.branches', message: 'invalid value: must be a list', type: 'FieldValueInvalid' });
      else if (!spec.branches?.length) errs.push(missing('spec.branches'));
      else
        spec.branches.forEach((b: unknown, i: number) => {
          const p = `spec.branches[${i}]`;
          if (!isObject(b)) {
            errs.push({ path: p, message: 'invalid value: must be an object', type: 'FieldValueInvalid' });
            return;
          }
          if (!isEmptyDestination(b.filter)) errs.push(...validateDestination(b.filter, `${p}.filter`, rules));
          errs.push(...validateDestination(b.subscriber, `${p}.subscriber`, rules));
          if (!isEmptyDestination(b.reply)) errs.push(...validateDestination(b.reply, `${p}.reply`, rules));
          errs.push(...validateDelivery(b.delivery, `${p}.delivery`, deps.validateDeliverySpec, features, rules));
        });
      errs.push(...validateChannelTemplate(spec.channelTemplate, 'spec.channelTemplate'));
      if (!isEmptyDestination(spec.reply)) errs.push(...validateDestination(spec.reply, 'spec.reply', rules));
      return errs;
    },
    printerColumns: [COL.url, COL.age, COL.ready, COL.reason],
  };
}
