/**
 * Float32 matrix products at the papers' shapes: flowsentry's SIMD kernel (asm/gemm.ts), stock
 * tfjs cpu matMul, and PyTorch torch.mm on 1 thread in the same run. GFLOP/s = 2mnk / time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import '../src/register.js';
import { gemm, gemmUsesWasm, parallelThreads, poolThreshold, setPoolThreshold } from '../src/kernels/gemm.js';
import { setFlowsentryKernels } from '../src/kernels/switch.js';
import { printTable, pythonHas, timeMedian } from './util.js';

const SHAPES: [string, number, number, number][] = [
  ['GRU input projection (B*T=5120, F=128, 3U=192)', 5120, 192, 128],
  ['GRU recurrent step (B=256, U=64, 3U=192)', 256, 192, 64],
  ['Conv filter gradient (K=96, B*W=9984, Co=32)', 96, 32, 9984],
  ['square 512', 512, 512, 512],
];

function torchGflops(m: number, n: number, k: number, repeats: number): number {
  const code = `import torch,time,statistics\ntorch.set_num_threads(1)\na=torch.randn(${m},${k});b=torch.randn(${k},${n})\ntorch.mm(a,b)\nts=[]\nfor _ in range(${repeats}):\n  t=time.perf_counter();torch.mm(a,b);ts.append(time.perf_counter()-t)\nprint(2*${m}*${n}*${k}/statistics.median(ts)/1e9)`;
  const r = spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

export async function main(options: { quick: boolean }): Promise<void> {
  await tf.setBackend('cpu');
  const repeats = options.quick ? 3 : 9;
  const torch = pythonHas('torch');
  const rows: (string | number)[][] = [];
  for (const [name, m, n, k] of SHAPES) {
    const a = Float32Array.from({ length: m * k }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
    const b = Float32Array.from({ length: k * n }, (_, i) => ((i * 104729) % 1000) / 1000 - 0.5);
    const c = new Float32Array(m * n);
    const flops = 2 * m * n * k;
    // Both threads (products from 2^21 multiply-adds split by row tiles), then one (the worker
    // kept, idle: no job reaches the threshold).
    const ours = await timeMedian(() => gemm({ m, n, k, a, b, c }), repeats);
    const threshold = poolThreshold();
    setPoolThreshold(Infinity);
    const one = await timeMedian(() => gemm({ m, n, k, a, b, c }), repeats);
    setPoolThreshold(threshold);
    const ta = tf.tensor2d(a, [m, k]);
    const tb = tf.tensor2d(b, [k, n]);
    setFlowsentryKernels(false);
    const stock = options.quick && m * n * k > 1e8 ? NaN : await timeMedian(() => tf.matMul(ta, tb).dispose(), 1, 0);
    setFlowsentryKernels(true);
    tf.dispose([ta, tb]);
    const pt = torch ? torchGflops(m, n, k, repeats) : NaN;
    rows.push([name, flops / one / 1e6, flops / ours / 1e6, flops / stock / 1e6, pt, (flops / one / 1e6) / pt, (flops / ours / 1e6) / pt]);
  }
  console.log(`flowsentry kernel: ${gemmUsesWasm() ? 'WebAssembly SIMD' : 'JavaScript fallback'}, up to ${parallelThreads()} threads; median of ${repeats}\n`);
  printTable(
    ['product', 'flowsentry 1 thread GFLOP/s', 'flowsentry 2 threads GFLOP/s', 'stock tfjs cpu GFLOP/s', 'PyTorch 1 thread GFLOP/s', 'flowsentry 1 thread / PyTorch', 'flowsentry 2 threads / PyTorch'],
    rows,
  );
}
