// Standalone register-tile study for the product's micro-kernel (not part of `npm run bench`):
// generates AssemblyScript kernels with asm/gemm.ts's loop shape (R x 4nv tile, A splat per row,
// B row of nv f32x4, k and n blocked as gemmRows), mul then add (m..) or relaxed_madd (f..),
// compiles them with relaxed SIMD, checks each against float64, and prints GFLOP/s per shape
// (medians of alternating rounds). Also prints whether relaxed_madd is fused here.
// Run: taskset -c 0 node bench/gemm-tiles.mjs   (V=m48,f48 selects variants; SHAPES=mxnxk,...; ROUNDS=n)
import v8 from 'node:v8';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gemm-tiles-'));
const variants = [
  ['m48', 4, 2, false], ['f48', 4, 2, true], ['f58', 5, 2, true], ['f68', 6, 2, true],
  ['f412', 4, 3, true], ['f312', 3, 3, true], ['f216', 2, 4, true], ['f316', 3, 4, true], ['m216', 2, 4, false],
];
let s = '';
for (const [name, R, nv, fma] of variants) {
  const W = 4 * nv;
  s += `export function ${name}(a: usize, rsA: usize, csA: usize, b: usize, ldb: usize, c: usize, ldc: usize, mt: i32, nt: i32, k: i32, acc: bool): void {\n`;
  for (let r = 2; r < R; r++) s += `  const r${r} = rsA * ${r};\n`;
  s += `  for (let it = 0; it < mt; it++) {\n    const arow = a + <usize>it * ${R} * rsA;\n    const crow = c + <usize>it * ${R} * ldc;\n`;
  s += `    for (let jt = 0; jt < nt; jt++) {\n      let ap = arow;\n      let bp = b + <usize>jt * ${W * 4};\n      const cp = crow + <usize>jt * ${W * 4};\n`;
  for (let r = 0; r < R; r++) for (let v = 0; v < nv; v++) s += `      let c${r}${v} = f32x4.splat(0);\n`;
  s += `      if (acc) {\n`;
  for (let r = 0; r < R; r++) for (let v = 0; v < nv; v++) s += `        c${r}${v} = v128.load(cp + ${r} * ldc, ${v * 16});\n`;
  s += `      }\n      for (let p = 0; p < k; p++) {\n`;
  for (let v = 0; v < nv; v++) s += `        const b${v} = v128.load(bp, ${v * 16});\n`;
  for (let r = 0; r < R; r++) {
    const addr = r === 0 ? 'ap' : r === 1 ? 'ap + rsA' : `ap + r${r}`;
    s += `        const a${r} = v128.load32_splat(${addr});\n`;
    for (let v = 0; v < nv; v++)
      s += fma ? `        c${r}${v} = f32x4.relaxed_madd(a${r}, b${v}, c${r}${v});\n` : `        c${r}${v} = f32x4.add(c${r}${v}, f32x4.mul(a${r}, b${v}));\n`;
  }
  s += `        ap += csA;\n        bp += ldb;\n      }\n`;
  for (let r = 0; r < R; r++) for (let v = 0; v < nv; v++) s += `      v128.store(cp + ${r} * ldc, c${r}${v}, ${v * 16});\n`;
  s += `    }\n  }\n}\n`;
  // blocked driver, like gemmRows: n in blocks of ~128 columns, k in blocks of 256
  const NB = Math.max(1, Math.round(128 / W));
  s += `export function rows_${name}(a: usize, rsA: usize, csA: usize, b: usize, ldb: usize, c: usize, ldc: usize, mt: i32, nt: i32, k: i32): void {\n`;
  s += `  for (let j0 = 0; j0 < nt; j0 += ${NB}) {\n    const nb = min(${NB}, nt - j0);\n    for (let p0 = 0; p0 < k; p0 += 256) {\n      const kc = min(256, k - p0);\n`;
  s += `      ${name}(a + <usize>p0 * csA, rsA, csA, b + <usize>p0 * ldb + <usize>j0 * ${W * 4}, ldb, c + <usize>j0 * ${W * 4}, ldc, mt, nb, kc, p0 > 0);\n    }\n  }\n}\n`;
}
s += `export function rtest(a: f32, b: f32, c: f32): f32 { return f32x4.extract_lane(f32x4.relaxed_madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0); }\n`;
s += `export function mtest(a: f32, b: f32, c: f32): f32 { return f32x4.extract_lane(f32x4.add(f32x4.mul(f32x4.splat(a), f32x4.splat(b)), f32x4.splat(c)), 0); }\n`;
writeFileSync(join(dir, 'k.ts'), s);
execFileSync('npx', ['asc', join(dir, 'k.ts'), '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=', '--enable', 'simd', '--enable', 'relaxed-simd', '-o', join(dir, 'k.wasm')], { cwd: root, stdio: 'inherit' });
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
const bytes = readFileSync(join(dir, 'k.wasm'));
const only = process.env.V ? process.env.V.split(',') : null;
const vs = variants.filter((v) => !only || only.includes(v[0]));
const { instance } = await WebAssembly.instantiate(bytes, {});
const X = instance.exports;
// Fused? a = 1 + 2^-12: a * a = 1 + 2^-11 + 2^-24 rounds to 1 + 2^-11; plus -(1 + 2^-11) that is 2^-24 fused, 0 not.
const fa = 1 + 2 ** -12, fc = -(1 + 2 ** -11);
console.log(`relaxed_madd ${X.rtest(fa, fa, fc)}, mul then add ${X.mtest(fa, fa, fc)} (fused: ${2 ** -24})`);
const shapes = (process.env.SHAPES ?? '9984x96x32,5120x96x64,120x64x192,5120x128x192,600x256x512').split(',').map((s) => s.split('x').map(Number));
const mem = X.memory;
const need = 64 << 20;
mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
const H = new Float32Array(mem.buffer);
const rounds = Number(process.env.ROUNDS ?? 7);
for (const [m, n, k] of shapes) {
  const setups = vs.map(([name, R, nv]) => {
    const W = 4 * nv;
    const mt = Math.ceil(m / R), nt = Math.ceil(n / W);
    const mp = mt * R, np = nt * W;
    const ldb = (np * 4) % 1024 === 0 ? np + W : np;
    const aOff = 0, bOff = mp * k + 64, cOff = bOff + k * ldb + 64;
    return { name, R, W, mt, nt, mp, np, ldb, aOff, bOff, cOff, fn: X['rows_' + name] };
  });
  const A = new Float32Array(m * k).map(() => Math.random() - 0.5);
  const B = new Float32Array(k * n).map(() => Math.random() - 0.5);
  const prep = (s) => {
    H.fill(0, 0, s.cOff + s.mp * s.np + 64);
    for (let i = 0; i < m; i++) H.set(A.subarray(i * k, i * k + k), s.aOff + i * k);
    for (let p = 0; p < k; p++) H.set(B.subarray(p * n, p * n + n), s.bOff + p * s.ldb);
  };
  const run = (s) => s.fn(s.aOff * 4, k * 4, 4, s.bOff * 4, s.ldb * 4, s.cOff * 4, s.np * 4, s.mt, s.nt, k);
  // correctness vs float64
  for (const s of setups) {
    prep(s); run(s);
    let err = 0;
    for (let t = 0; t < 200; t++) {
      const i = (Math.random() * m) | 0, j = (Math.random() * n) | 0;
      let ref = 0; for (let p = 0; p < k; p++) ref += A[i * k + p] * B[p * n + j];
      err = Math.max(err, Math.abs(H[s.cOff + i * s.np + j] - ref));
    }
    if (err > 1e-3) throw new Error(`${s.name} wrong at ${m}x${n}x${k}: ${err}`);
  }
  const flops = 2 * m * n * k;
  const reps = Math.max(1, Math.round(3e7 / flops * 5));
  const times = Object.fromEntries(setups.map((s) => [s.name, []]));
  for (let r = 0; r < rounds + 1; r++) {
    for (const s of r % 2 ? setups : [...setups].reverse()) {
      prep(s);
      run(s);
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) run(s);
      const dt = (performance.now() - t0) / reps;
      if (r > 0) times[s.name].push(dt);
    }
  }
  const med = (x) => { const y = [...x].sort((p, q) => p - q); return y[y.length >> 1]; };
  console.log(`${m}x${n}x${k}: ` + setups.map((s) => `${s.name} ${(flops / med(times[s.name]) / 1e6).toFixed(1)}`).join('  '));
}
