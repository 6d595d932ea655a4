// `skiff event send|build` (kn-plugin-event): build a CloudEvent from flags
// and POST it in binary (default) or structured mode to a URL or to an
// Addressable named like a sink (`--to broker:default`), resolved through its
// `status.address.url` and reached through Skiff's gateway.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SKIFF_VERSION } from '../../../api/version.js';
import { toBinaryHttp, toJsonFormat, toStructuredHttp, type CloudEventRecord } from '../../../eventing/cloudevents/index.js';
import type { Flags } from '../../args.js';
import type { Command } from '../../command.js';
import type { CliContext } from '../../context.js';
import { KnError } from '../../knative-format.js';
import { toJson, toYaml } from '../../output.js';
import { fetchSinkObject, sinkSpecText, SINK_EXAMPLES } from '../eventing/sink.js';
import { eventingNow, knVerb } from '../eventing/verbs.js';
import { buildEvent, DEFAULT_EVENT_TYPE } from './build.js';
import { addressOf, parseEventTarget, planDelivery, postEvent, statusText } from './send.js';

export const DEFAULT_EVENT_SOURCE = `skiff-event/v${SKIFF_VERSION}`;

const BUILD_FLAGS = [
  { name: 'type', short: 't', type: 'string' as const, default: DEFAULT_EVENT_TYPE, description: 'Specify a type of a CloudEvent' },
  { name: 'source', short: 's', type: 'string' as const, default: DEFAULT_EVENT_SOURCE, description: 'Specify a source of a CloudEvent' },
  { name: 'id', short: 'i', type: 'string' as const, description: 'Specify a CloudEvent ID (default: a new UUID)' },
  { name: 'subject', type: 'string' as const, description: 'Specify the subject of a CloudEvent' },
  { name: 'time', type: 'string' as const, placeholder: 'RFC3339', description: "The event's time attribute (default: now; '' for none)" },
  { name: 'data', short: 'd', type: 'string' as const, description: 'Event data: sent as JSON when it parses as a JSON object or array, else as text/plain' },
  { name: 'content-type', type: 'string' as const, description: 'The datacontenttype of --data (default: application/json or text/plain, guessed)' },
  {
    name: 'field',
    short: 'f',
    type: 'strings' as const,
    placeholder: 'PATH=VALUE',
    description: 'A field of the JSON data, as a dotted path, "=" and a value; numbers and true/false keep their type. Example: "person.age=18".',
  },
  { name: 'raw-field', type: 'strings' as const, placeholder: 'PATH=VALUE', description: 'Like --field, but the value is always a string. Example: "person.name=John".' },
  { name: 'extension', short: 'e', type: 'strings' as const, placeholder: 'NAME=VALUE', description: 'A CloudEvents extension attribute, e.g. "partitionkey=42" (repeatable).' },
];

function eventFromFlags(flags: Flags): CloudEventRecord {
  return buildEvent({
    type: flags.string('type') ?? DEFAULT_EVENT_TYPE,
    source: flags.string('source') ?? DEFAULT_EVENT_SOURCE,
    id: flags.has('id') ? flags.string('id') ?? '' : randomUUID(),
    time: flags.has('time') ? flags.string('time') ?? '' : new Date(eventingNow()).toISOString(),
    subject: flags.string('subject'),
    data: flags.has('data') ? flags.string('data') : undefined,
    contentType: flags.string('content-type'),
    fields: flags.strings('field'),
    rawFields: flags.strings('raw-field'),
    extensions: flags.strings('extension'),
  });
}

/** --gateway, then SKIFF_GATEWAY, then the `gateway` that `skiff up` recorded in <data-dir>/api.json. */
async function resolveGateway(ctx: CliContext, flags: Flags): Promise<string | undefined> {
  const given = flags.string('gateway') || ctx.io.env.SKIFF_GATEWAY;
  if (given) {
    try {
      new URL(given);
    } catch {
      throw new KnError(`invalid gateway URL '${given}' (from ${flags.string('gateway') ? '--gateway' : 'SKIFF_GATEWAY'}): must look like http://127.0.0.1:PORT`, 'SKIFF_ERR_CLI_BAD_GATEWAY_URL');
    }
    return given;
  }
  try {
    const rec = JSON.parse(await readFile(join(ctx.globals.dataDir, 'api.json'), 'utf8')) as { gateway?: unknown };
    return typeof rec.gateway === 'string' && rec.gateway ? rec.gateway : undefined;
  } catch {
    return undefined;
  }
}

/** The URL `--to`/`--to-url` designate (an object's address for references). */
async function targetUrl(ctx: CliContext, flags: Flags): Promise<string> {
  const to = flags.string('to');
  const toUrl = flags.string('to-url');
  if (to && toUrl) throw new KnError("use only one of '--to' or '--to-url'");
  if (!to && !toUrl) throw new KnError(`required flag(s) "to" not set: give --to (${SINK_EXAMPLES}, or Kind:apiVersion:name) or --to-url URL`);
  if (toUrl) return toUrl;
  const ns = ctx.namespace();
  const spec = parseEventTarget(to!, ns);
  if (spec.type === 'url') return spec.url;
  const client = await ctx.client();
  const { obj, resource } = await fetchSinkObject(client, spec, 'to');
  const url = addressOf(obj, spec.gvr);
  if (!url) throw new KnError(`${obj.kind || resource.kind || spec.gvr.resource} '${spec.name}' in namespace '${spec.namespace}' has no address yet (status.address.url is empty): is it ready?`, 'SKIFF_ERR_CLI_EVENT_NO_ADDRESS');
  if (flags.bool('verbose')) ctx.err(`${sinkSpecText(spec, ns)} is at ${url}\n`);
  return url;
}

const sendCommand: Command = {
  name: 'send',
  summary: 'Builds and sends a CloudEvent to recipient',
  usage: 'event send --to SINK|--to-url URL [-t TYPE] [-s SOURCE] [-i ID] [-d DATA | -f PATH=VALUE...] [--mode binary|structured] [--gateway URL]',
  description:
    'Build a CloudEvent and send it over HTTP (binary mode unless --mode structured). --to names a broker, channel, Knative or Kubernetes service (kn sink syntax) or a URL; ' +
    "an object is reached at its status.address.url. Cluster addresses go through Skiff's gateway (--gateway, $SKIFF_GATEWAY or <data-dir>/api.json) with the address as Host; loopback and https URLs go direct. " +
    'With -o json|yaml the event sent is printed instead of the summary line.',
  examples: [
    'skiff event send --to broker:broker01 --type dev.knative.sources.gitlab.push --source curl --data \'{"msg":"hello"}\'',
    'skiff event send --to channel:imc01 -t com.magedu.file.image -s curl -f msg="Hello IMC Channel!"',
    'skiff event send --to-url http://127.0.0.1:8080/ --type org.example.gaming.foo -f player.id=6354 -f points=456',
  ],
  flags: [
    { name: 'to', short: 'r', type: 'string', placeholder: 'SINK', description: `Where to send: ${SINK_EXAMPLES}; or kn-plugin-event's Kind:apiVersion:name (e.g. Service:serving.knative.dev/v1:event-display).` },
    { name: 'to-url', short: 'u', type: 'string', placeholder: 'URL', description: 'Specify an URL to send event to. This option can\'t be used with --to option.' },
    ...BUILD_FLAGS,
    { name: 'mode', type: 'string', default: 'binary', placeholder: 'binary|structured', description: 'CloudEvents HTTP content mode.' },
    { name: 'gateway', type: 'string', placeholder: 'URL', description: "Skiff's gateway for cluster addresses (default: $SKIFF_GATEWAY, else the one `skiff up` recorded in <data-dir>/api.json)." },
    { name: 'timeout', type: 'int', default: 30, placeholder: 'SECONDS', description: 'Give up when the recipient has not answered within this many seconds.' },
    { name: 'verbose', short: 'v', type: 'boolean', description: "Print the recipient's answer (status, headers, body) on stderr." },
  ],
  outputFormats: ['json', 'yaml'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      if (flags.positionals.length) throw new KnError(`'skiff event send' accepts no arguments (got '${flags.positionals.join(' ')}'): use --to or --to-url`);
      const mode = flags.string('mode') ?? 'binary';
      if (mode !== 'binary' && mode !== 'structured') throw new KnError(`invalid value '${mode}' for '--mode': must be 'binary' or 'structured'`);
      const timeout = flags.int('timeout') ?? 30;
      if (timeout <= 0) throw new KnError(`invalid value '${timeout}' for '--timeout': must be greater than zero`);
      const event = eventFromFlags(flags);
      const url = await targetUrl(ctx, flags);
      const plan = planDelivery(url, await resolveGateway(ctx, flags));
      const message = mode === 'binary' ? toBinaryHttp(event) : toStructuredHttp(event);
      const res = await postEvent(plan, message, timeout * 1000, ctx.io.signal);
      if (flags.bool('verbose')) {
        ctx.err(`< ${statusText(res.status)}\n`);
        for (const [k, v] of Object.entries(res.headers)) ctx.err(`< ${k}: ${Array.isArray(v) ? v.join(', ') : v}\n`);
        if (res.body) ctx.err(`${res.body}${res.body.endsWith('\n') ? '' : '\n'}`);
      }
      if (res.status < 200 || res.status >= 300) {
        const detail = res.body.trim().split('\n')[0];
        throw new KnError(`can't send event: ${url} answered ${statusText(res.status)}${detail ? `: ${detail}` : ''}`, 'SKIFF_ERR_CLI_EVENT_REJECTED');
      }
      const fmt = ctx.globals.output;
      if (fmt === 'json' || fmt === 'yaml') {
        ctx.out(fmt === 'json' ? toJson(toJsonFormat(event)) : toYaml(toJsonFormat(event)));
        return 0;
      }
      ctx.out(`Event (ID: ${event.id}) sent to ${url}${plan.via === 'gateway' ? ` via ${new URL(plan.url).origin}` : ''}: ${statusText(res.status)}\n`);
      return 0;
    }),
};

const buildCommand: Command = {
  name: 'build',
  summary: 'Builds a CloudEvent and prints it (JSON format)',
  usage: 'event build [-t TYPE] [-s SOURCE] [-i ID] [-d DATA | -f PATH=VALUE...] [-o json|yaml]',
  examples: ['skiff event build -t org.example.bank.bar -f operation.amount=2345.40 -f automated=true -o yaml'],
  flags: BUILD_FLAGS,
  outputFormats: ['json', 'yaml'],
  run: (ctx, flags) =>
    knVerb(ctx, async () => {
      const doc = toJsonFormat(eventFromFlags(flags));
      ctx.out(ctx.globals.output === 'yaml' ? toYaml(doc) : toJson(doc));
      return 0;
    }),
};

export const eventCommand: Command = {
  name: 'event',
  aliases: ['events'],
  summary: 'Build and send CloudEvents (kn event)',
  subcommands: [sendCommand, buildCommand],
};
