/**
 * `npm run bench`: the engine benchmark of research/performance.md. Prints one JSON line per case.
 * Not a test: nothing here asserts a time. Options (env): BENCH_SYMBOLS (500), BENCH_BARS (2000),
 * BENCH_REPS (3), BENCH_STRATEGIES (momentum,range_bound,level_based), BENCH_SQLITE (1 = also run
 * with the real SQLite store), PEER (path of the Python peer; default ../shared/peers/python-pipeline.py).
 * Cases: peer, engine_throughput, cycle_latency, memory, engine_floor (the same graph with
 * strategies that do nothing: the engine's own share of a bar) and strategies_only (the strategies
 * in a plain loop, no engine: their own share).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Bar } from '../engine/messages/market.js';
import { openStore } from '../storage/sqlite-store.js';
import { availableTypes, barEnd, buildBenchEngine, idleRegistry } from './engine-bench.js';
import { MemoryStore } from './memory-store.js';
import { runStrategiesOnly } from './strategies-bench.js';
import { workload } from './workload.js';

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive whole number, got "${raw}"`);
  return value;
};

const SYMBOLS = int('BENCH_SYMBOLS', 500);
const BARS = int('BENCH_BARS', 2000);
const REPS = int('BENCH_REPS', 3);
const WANTED = (process.env['BENCH_STRATEGIES'] ?? 'momentum,range_bound,level_based').split(',').map((s) => s.trim());
const PEER = process.env['PEER'] ?? '../shared/peers/python-pipeline.py';

const print = (line: Record<string, unknown>): void => console.log(JSON.stringify(line));
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

const runPeer = (): Record<string, unknown> | undefined => {
  if (!existsSync(PEER)) {
    print({ case: 'peer', skipped: `peer script not found at ${PEER} (set PEER)` });
    return undefined;
  }
  const out = spawnSync('python3', [PEER, String(SYMBOLS), String(BARS), '1'], { encoding: 'utf8' });
  if (out.status !== 0) {
    print({ case: 'peer', skipped: `python3 failed: ${out.stderr.trim() || out.error?.message}` });
    return undefined;
  }
  const line = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  print({ case: 'peer', ...line });
  return line;
};

const main = async (): Promise<void> => {
  const types = availableTypes(WANTED);
  const t0 = performance.now();
  const { slots, bars } = workload(SYMBOLS, BARS);
  const datagenS = (performance.now() - t0) / 1000;
  const totalBars = SYMBOLS * BARS;
  const peer = runPeer();
  const peerRate = typeof peer?.['bars_per_s'] === 'number' ? peer['bars_per_s'] : undefined;

  const runOnce = async (store: 'memory' | 'sqlite', sampleMemory: boolean, idle = false) => {
    const sqlite = store === 'sqlite' ? await openStore({ url: ':memory:' }) : undefined;
    const bench = await buildBenchEngine({
      symbols: SYMBOLS,
      strategyTypes: types,
      store: sqlite ?? new MemoryStore(),
      startTs: slots[0] as number,
      ...(idle ? { registry: idleRegistry() } : {}),
    });
    const cycles = new Float64Array(BARS);
    const heap: number[] = [];
    gc();
    let pushMs = 0;
    let evalMs = 0;
    let busy = 0; // engine time only: memory sampling (forced GCs) and the yields are outside it
    for (let t = 0; t < BARS; t++) {
      const ts = slots[t] as number;
      const a0 = performance.now();
      bench.scheduler.advanceTo(ts); // nights and weekends: idle loop ticks, outside the cycle
      const c0 = performance.now();
      for (let i = t * SYMBOLS, end = i + SYMBOLS; i < end; i++) bench.push(bars[i] as Bar);
      const m = performance.now();
      bench.scheduler.advanceTo(barEnd(ts));
      const c1 = performance.now();
      pushMs += m - c0;
      evalMs += c1 - m;
      cycles[t] = c1 - c0;
      busy += c1 - a0;
      if (sampleMemory && (t + 1) % Math.max(1, Math.floor(BARS / 10)) === 0) {
        gc();
        heap.push(process.memoryUsage().heapUsed);
      }
      // Let the journal's batched writes complete, as the event loop does between market events.
      const y0 = performance.now();
      await new Promise((r) => setImmediate(r));
      busy += performance.now() - y0;
    }
    const seconds = busy / 1000;
    await bench.stop();
    await sqlite?.close();
    return { seconds, cycles, heap, counts: bench.counts, pushMs, evalMs };
  };

  const cases: { store: 'memory' | 'sqlite'; name: string; idle?: boolean }[] = [
    { store: 'memory', name: 'engine_throughput' },
  ];
  if (process.env['BENCH_SQLITE'] === '1') cases.push({ store: 'sqlite', name: 'engine_throughput_sqlite' });
  // The same graph and bars with strategies that do nothing: what the engine around them costs.
  cases.push({ store: 'memory', name: 'engine_floor', idle: true });
  for (const c of cases) {
    const runs = [];
    for (let rep = 0; rep < REPS; rep++) runs.push(await runOnce(c.store, false, c.idle));
    const seconds = median(runs.map((r) => r.seconds));
    const rate = Math.round(totalBars / seconds);
    const last = runs[runs.length - 1];
    if (last === undefined) continue;
    // Memory is sampled in a run of its own: its forced full collections (ten, each ~150 ms over the
    // ~200 MB of preloaded bars) and the sweeping after them would otherwise land in the cycle times.
    const sampled = c.store === 'memory' && c.idle !== true;
    const memory = sampled ? await runOnce(c.store, true) : undefined;
    print({
      case: c.name,
      store: c.store,
      strategies: c.idle === true ? types.map((t) => `${t} (idle)`) : types,
      symbols: SYMBOLS,
      bars_per_symbol: BARS,
      bars: totalBars,
      reps: REPS,
      median_s: Math.round(seconds * 1000) / 1000,
      bars_per_s: rate,
      ns_per_bar: Math.round((seconds * 1e9) / totalBars),
      ...(peerRate === undefined ? {} : { vs_peer: Math.round((rate / peerRate) * 100) / 100 }),
      ...last.counts,
      // Where a bar's time goes: delivery to broker, account and actors (strategies' onBar) versus
      // the evaluation tick (strategies' decisions, then confluence, risk, orders and fills).
      push_ns_per_bar: Math.round((last.pushMs * 1e6) / totalBars),
      eval_ns_per_bar: Math.round((last.evalMs * 1e6) / totalBars),
      datagen_s: Math.round(datagenS * 10) / 10,
    });
    if (!sampled) continue;
    // The last timed run (warmed up by the runs before it, no forced collection), after the longest
    // strategy warm-up (35 bars) so every strategy decides in each measured cycle.
    const measured = Float64Array.from(last.cycles.subarray(Math.min(50, BARS - 1))).sort();
    print({
      case: 'cycle_latency',
      what: `one bar for each of ${SYMBOLS} symbols x ${types.length} strategies, evaluated, through risk to orders`,
      cycles: measured.length,
      p50_ms: Math.round(quantile(measured, 0.5) * 1000) / 1000,
      p99_ms: Math.round(quantile(measured, 0.99) * 1000) / 1000,
      max_ms: Math.round(quantile(measured, 1) * 1000) / 1000,
    });
    const heapMb = (memory?.heap ?? []).map(mb);
    const first = heapMb[0] ?? NaN;
    print({
      case: 'memory',
      gc_exposed: typeof (globalThis as { gc?: unknown }).gc === 'function',
      heap_used_mb_by_tenth: heapMb,
      heap_growth_mb_first_to_last_tenth: Math.round(((heapMb[heapMb.length - 1] ?? NaN) - first) * 10) / 10,
      rss_mb: mb(process.memoryUsage().rss),
    });
  }

  // The strategies alone over the same bars: a lower bound on their share of an engine bar.
  const only = [];
  for (let rep = 0; rep < REPS; rep++) {
    gc();
    only.push(runStrategiesOnly(types, SYMBOLS, BARS, bars, () => performance.now()));
  }
  const onlyMs = median(only.map((r) => r.onBarMs + r.evaluateMs));
  const lastOnly = only[only.length - 1];
  const onlyRate = Math.round(totalBars / (onlyMs / 1000));
  print({
    case: 'strategies_only',
    what: 'the strategies in a plain loop over the same bars (onBar, then evaluate with the edge trigger), no engine',
    strategies: types,
    bars: totalBars,
    reps: REPS,
    median_s: Math.round(onlyMs) / 1000,
    bars_per_s: onlyRate,
    ns_per_bar: Math.round((onlyMs * 1e6) / totalBars),
    ...(peerRate === undefined ? {} : { vs_peer: Math.round((onlyRate / peerRate) * 100) / 100 }),
    onbar_ns_per_bar: Math.round(((lastOnly?.onBarMs ?? NaN) * 1e6) / totalBars),
    evaluate_ns_per_bar: Math.round(((lastOnly?.evaluateMs ?? NaN) * 1e6) / totalBars),
    signals: lastOnly?.signals,
  });
};

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
