// Benchmark: `skiff service create NAME --image ikubernetes/helloworld-go`
// (the CLI as a separate process, waiting for Ready as kn does) → first 200
// through the gateway. For each service the bench spawns the CLI and, at the
// same moment, polls the gateway with the service's Host header every 5 ms;
// it records when the CLI exits, when the first 200 arrived, and — the user's
// view, "run the command, then curl" — when one request sent after the CLI
// exited came back. One warm-up service per run is excluded. The CLI's own
// start-up floor (`skiff --help`) is measured too, to split the time.
//   node dist/bench/serving/control-plane-create.bench.js [--services=12] [--runs=3]
import { commandLine, fmt, formatTable, intArg, machineLine, median, summarize, verdict } from '../foundation/lib.js';
import { closeProbes, exec, gatewayGet, loadLine, SKIFF_BIN, sleep, withSkiff, type Skiff } from './control-plane-lib.js';

const TARGET_MS = 300;

interface Sample {
  exitMs: number;
  first200Ms: number;
  userMs: number;
}

async function createOne(s: Skiff, name: string): Promise<Sample> {
  const host = `${name}.default.example.com`;
  const t0 = performance.now();
  let exitMs = NaN;
  const cli = exec(process.execPath, [SKIFF_BIN, '--api', s.api, 'service', 'create', name, '--image', 'ikubernetes/helloworld-go']).then((r) => {
    exitMs = performance.now() - t0;
    if (r.code !== 0) throw new Error(`service create ${name} failed (${r.code}): ${r.stderr || r.stdout}`);
  });
  let first200Ms = NaN;
  const deadline = t0 + 30_000;
  while (performance.now() < deadline) {
    const r = await gatewayGet(s.gateway, host);
    if (r.status === 200) {
      first200Ms = performance.now() - t0;
      break;
    }
    await sleep(5);
  }
  await cli;
  const r = await gatewayGet(s.gateway, host);
  if (r.status !== 200) throw new Error(`${name}: GET after create answered ${r.status}`);
  return { exitMs, first200Ms, userMs: performance.now() - t0 };
}

async function main(): Promise<void> {
  const services = intArg(process.argv, 'services', 12);
  const runs = intArg(process.argv, 'runs', 3);
  console.log(`# Serving control plane: service create → first 200 (${machineLine()}, load ${loadLine()})`);
  console.log(`# ${commandLine()}\n`);

  const floor: number[] = [];
  for (let i = 0; i < 5; i++) floor.push((await exec(process.execPath, [SKIFF_BIN, '--help'])).ms);

  const rows: string[][] = [];
  const p50s = { exit: [] as number[], first: [] as number[], user: [] as number[] };
  for (let run = 1; run <= runs; run++) {
    const load = loadLine();
    const samples = await withSkiff({}, async (s) => {
      await createOne(s, `warm${run}`);
      const out: Sample[] = [];
      for (let i = 0; i < services; i++) out.push(await createOne(s, `svc${run}-${i}`));
      return out;
    });
    const ex = summarize(samples.map((x) => x.exitMs));
    const fi = summarize(samples.map((x) => x.first200Ms));
    const us = summarize(samples.map((x) => x.userMs));
    p50s.exit.push(ex.p50);
    p50s.first.push(fi.p50);
    p50s.user.push(us.p50);
    rows.push([String(run), String(samples.length), fmt(fi.p50, 0), fmt(fi.p90, 0), fmt(ex.p50, 0), fmt(ex.p90, 0), fmt(us.p50, 0), fmt(us.max, 0), load]);
  }
  console.log(formatTable(['run', 'services', 'first 200 p50 ms', 'p90', 'CLI exit p50 ms', 'p90', 'exit+GET p50 ms', 'max', 'load avg'], rows));
  const m = { first: median(p50s.first), exit: median(p50s.exit), user: median(p50s.user) };
  console.log(`\nCLI start-up floor (skiff --help, 5×): median ${fmt(median(floor), 0)} ms`);
  console.log(`median of run p50s: first 200 ${fmt(m.first, 0)} ms, CLI exit ${fmt(m.exit, 0)} ms, exit + GET ${fmt(m.user, 0)} ms`);
  console.log(`target ≤ ${TARGET_MS} ms (create → first 200): ${verdict(m.first <= TARGET_MS)}; as a user sees it (exit + GET): ${verdict(m.user <= TARGET_MS)}`);
  closeProbes();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
