import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { helpText, runCommands, type Command } from './command.js';
import { UserError } from './errors.js';
import { captureIO } from './test-io.js';

const calls: Array<{ cmd: string; positionals: string[]; ns?: string; image: string[]; raw?: string[] }> = [];

const tree: Command[] = [
  {
    name: 'service',
    aliases: ['ksvc'],
    summary: 'Manage Knative services',
    subcommands: [
      {
        name: 'create',
        summary: 'Create a service',
        usage: 'service create NAME --image IMAGE',
        flags: [
          { name: 'image', type: 'strings', description: 'image' },
          { name: 'env', short: 'e', type: 'strings', description: 'env' },
        ],
        async run(ctx, flags) {
          calls.push({ cmd: 'service create', positionals: flags.positionals, ns: ctx.globals.namespace, image: flags.strings('image') });
          return 0;
        },
      },
    ],
  },
  {
    name: 'fail',
    summary: 'Fails',
    async run() {
      throw new UserError('this went wrong');
    },
  },
  {
    name: 'crash',
    summary: 'Crashes',
    async run() {
      throw new TypeError('x is undefined');
    },
  },
  {
    name: 'up',
    summary: 'raw',
    rawArgs: true,
    async run(_c, _f, argv) {
      calls.push({ cmd: 'up', positionals: [], image: [], raw: argv });
      return 3;
    },
  },
];

describe('runCommands', () => {
  test('noun verb NAME with global flags before, between and after', async () => {
    calls.length = 0;
    const io = captureIO();
    const code = await runCommands(tree, ['-n', 'demo', 'service', 'create', 'hello', '--image', 'img', '--env=A=1'], io);
    assert.equal(code, 0, io.stderrText());
    assert.deepEqual(calls[0], { cmd: 'service create', positionals: ['hello'], ns: 'demo', image: ['img'] });
    await runCommands(tree, ['ksvc', '--namespace=x', 'create', 'h2'], captureIO());
    assert.deepEqual(calls[1].positionals, ['h2']);
    assert.equal(calls[1].ns, 'x');
  });

  test('help: root, noun, verb, and `help` topic', async () => {
    let io = captureIO();
    assert.equal(await runCommands(tree, [], io), 0);
    assert.match(io.stdoutText(), /Usage:\n {2}skiff <command> \[flags\]/);
    io = captureIO();
    assert.equal(await runCommands(tree, ['service'], io), 0);
    assert.match(io.stdoutText(), /Available Commands:\n {2}create {3}Create a service/);
    io = captureIO();
    assert.equal(await runCommands(tree, ['service', 'create', '-h'], io), 0);
    assert.match(io.stdoutText(), /skiff service create NAME --image IMAGE/);
    assert.match(io.stdoutText(), /-e, --env stringArray/);
    io = captureIO();
    assert.equal(await runCommands(tree, ['help', 'service', 'create'], io), 0);
    assert.equal(io.stdoutText(), helpText(tree, [tree[0], tree[0].subcommands![0]]));
  });

  test('usage errors: one line plus a hint naming the command, exit 1', async () => {
    let io = captureIO();
    assert.equal(await runCommands(tree, ['service', 'create', 'x', '--imag', 'y'], io), 1);
    assert.equal(io.stderrText(), "error: unknown flag: --imag\nSee 'skiff service create --help' for usage.\n");
    io = captureIO();
    assert.equal(await runCommands(tree, ['nope'], io), 1);
    assert.equal(io.stderrText(), 'error: unknown command "nope" for "skiff"\nSee \'skiff --help\' for usage.\n');
    io = captureIO();
    assert.equal(await runCommands(tree, ['service', 'frob'], io), 1);
    assert.match(io.stderrText(), /unknown command "frob" for "skiff service"/);
    io = captureIO();
    assert.equal(await runCommands(tree, ['fail', '-o', 'xml'], io), 1);
    assert.match(io.stderrText(), /unable to match a printer suitable for the output format "xml"/);
  });

  test('user errors print one line; unexpected errors never print a stack unless SKIFF_DEBUG', async () => {
    let io = captureIO();
    assert.equal(await runCommands(tree, ['fail'], io), 1);
    assert.equal(io.stderrText(), 'error: this went wrong\n');
    io = captureIO();
    assert.equal(await runCommands(tree, ['crash'], io), 1);
    assert.equal(io.stderrText(), 'skiff: internal error: x is undefined\n');
    io = captureIO({ env: { SKIFF_DEBUG: '1' } });
    await runCommands(tree, ['crash'], io);
    assert.match(io.stderrText(), /TypeError: x is undefined\n\s+at /);
  });

  test('rawArgs commands get argv untouched (minus their own word) and their exit code', async () => {
    calls.length = 0;
    const code = await runCommands(tree, ['--data-dir', '/tmp/x', 'up', '--port', '9', '-h'], captureIO());
    assert.equal(code, 3);
    assert.deepEqual(calls[0].raw, ['--data-dir', '/tmp/x', '--port', '9', '-h']);
  });
});
