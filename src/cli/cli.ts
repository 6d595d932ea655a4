// runCli: the whole CLI as a function of (argv, io) → exit code, so tests can
// run commands in-process with captured output. main.ts wires it to the real
// process.
import { homedir } from 'node:os';
import { runCommands, type Command, type RunOptions } from './command.js';
import { commands } from './commands/index.js';
import type { CliIO } from './context.js';

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    homedir: homedir(),
  };
}

export function runCli(argv: readonly string[], io: CliIO = processIO(), opts: RunOptions & { extraCommands?: Command[] } = {}): Promise<number> {
  return runCommands([...(opts.extraCommands ?? []), ...commands], argv, io, opts);
}
