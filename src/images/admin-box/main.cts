// Built-in image `admin-box` (ikubernetes/admin-box): a general-purpose client box. The pod's
// command and args arrive as argv (the registry entry is passthroughCommand) and run as one child
// process on the host, found on $PATH as a container runtime would (`kubectl run client
// --image=ikubernetes/admin-box -- curl …`, `--command -- /bin/sh`); its exit status becomes ours.
// With no command it idles until stopped. Unlike a bare `sh`/`sleep`, this supervisor kills the
// child and exits when Skiff goes away, and forwards SIGTERM/SIGINT/SIGHUP to the child.
import { spawn } from 'node:child_process';
import { watchParent } from '../lib/runtime.cjs';

const argv = process.argv.slice(2);
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

if (argv.length === 0) {
  // Idle like `sleep infinity`; the interval keeps the event loop alive.
  const keepAlive = setInterval(() => {}, 1 << 30);
  for (const sig of FORWARDED_SIGNALS) process.on(sig, () => process.exit(0));
  watchParent(() => {
    clearInterval(keepAlive);
    process.exit(0);
  });
} else {
  const [command, ...args] = argv as [string, ...string[]];
  const child = spawn(command, args, { stdio: 'inherit' });
  child.on('error', (err: NodeJS.ErrnoException) => {
    process.stderr.write(
      err.code === 'ENOENT'
        ? `exec: "${command}": executable file not found in $PATH\n`
        : `exec: "${command}": ${err.message}\n`,
    );
    process.exit(err.code === 'ENOENT' ? 127 : 126);
  });
  child.on('exit', (code, signal) => {
    // A child killed by a signal exits the way a shell reports it: 128 + signal number.
    process.exit(code ?? 128 + (signal ? signalNumber(signal) : 0));
  });
  for (const sig of FORWARDED_SIGNALS) process.on(sig, () => child.kill(sig));
  watchParent(() => {
    child.kill('SIGTERM');
    setTimeout(() => {
      child.kill('SIGKILL');
      process.exit(137);
    }, 1000).unref();
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const n = (require('node:os') as typeof import('node:os')).constants.signals[signal];
  return typeof n === 'number' ? n : 0;
}
