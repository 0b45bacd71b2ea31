import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Median of a list of numbers. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Times `fn` `repeats` times (after `warmup` runs) and returns the median in milliseconds. */
export async function timeMedian(fn: () => unknown, repeats = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/**
 * Runs benchmark `name` again in a fresh child process (`tsx bench/run.ts <name> [--quick]` with
 * `env` added) and returns the JSON its stdout prints after `marker` (a line `<marker> {...}`).
 */
export function runBenchChild<T>(name: string, quick: boolean, env: Record<string, string>, marker: string): T {
  const runner = fileURLToPath(new URL('./run.ts', import.meta.url));
  const args = [...process.execArgv, runner, name, ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 24 });
  const line = r.stdout?.split('\n').find((l) => l.startsWith(`${marker} `));
  if (r.status !== 0 || line === undefined) throw new Error(`bench ${name}: the child process (${JSON.stringify(env)}) failed (status ${r.status}): ${r.stderr}`);
  return JSON.parse(line.slice(marker.length + 1)) as T;
}

/** Milliseconds one call of `fn` takes. */
export function elapsedMs(fn: () => unknown): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

/**
 * In-process A/B: after `warmup` untimed rounds, `blocks` blocks of `n` rounds, each round calling
 * every arm once in order (so all arms see the same load); each arm returns its own milliseconds.
 * Returns, per block, each arm's median.
 */
export function alternateMedians(arms: (() => number)[], n: number, blocks = 1, warmup = 5): number[][] {
  for (let i = 0; i < warmup; i++) for (const arm of arms) arm();
  const out: number[][] = [];
  for (let b = 0; b < blocks; b++) {
    const times = arms.map((): number[] => []);
    for (let i = 0; i < n; i++) arms.forEach((arm, a) => times[a]!.push(arm()));
    out.push(times.map(median));
  }
  return out;
}

/** True when /usr/bin/python3 can import every module named. */
export function pythonHas(...modules: string[]): boolean {
  const r = spawnSync('/usr/bin/python3', ['-c', modules.map((m) => `import ${m}`).join(';')], { stdio: 'ignore' });
  return r.status === 0;
}

/** Runs a Python reference script and parses the JSON it prints on its last line. */
export function runPython<T>(script: string, args: string[] = []): T {
  const out = execFileSync('/usr/bin/python3', [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = out.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as T;
}

/** Peak resident set size of this process so far, in MB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Prints a Markdown table. */
export function printTable(header: string[], rows: (string | number)[][]): void {
  const fmt = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : v);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`| ${header.map(() => '---').join(' | ')} |`);
  for (const r of rows) console.log(`| ${r.map(fmt).join(' | ')} |`);
}
