import * as tf from '@tensorflow/tfjs-core';
import { type CpuBackend, runCpuKernel } from './cpu-backend.js';
import { columnSumsSimd } from './gates.js';
import { SIMD_MIN, simdHeap } from './gemm.js';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };
type Values = Float32Array | Int32Array;

function numericValues(backend: CpuBackend, t: tf.TensorInfo): Values | null {
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array || v instanceof Int32Array ? v : null;
}

/** Below this many elements a plain loop copies faster than a subarray view and set. */
const SHORT_RUN = 64;

/**
 * Strided copy of the box [begin, begin + size) of `x` (shape `shape`): one contiguous copy per
 * run, a run being the trailing dimensions the box spans whole plus the partial one before them.
 */
function sliceValues(x: Values, shape: number[], begin: number[], size: number[]): Values {
  const out = new (x.constructor as new (n: number) => Values)(tf.util.sizeFromShape(size));
  if (out.length === 0) return out;
  // Merge trailing dimensions taken whole into the run; `rank` dimensions remain to iterate.
  let rank = shape.length;
  let run = 1;
  while (rank > 0 && size[rank - 1] === shape[rank - 1]) run *= shape[--rank] as number;
  if (rank === 0) {
    out.set(x.subarray(0, run));
    return out;
  }
  const strides = tf.util.computeStrides(shape);
  const inner = rank === shape.length ? 1 : (strides[rank - 1] as number); // floats per step of dimension rank - 1
  run *= size[rank - 1] as number;
  // Only dimension rank - 1 cut (every one before it whole): rows of `run` values one stride apart,
  // without the index arithmetic below (a channel split of [256, 78, 48] into three: 20k rows).
  if (begin.slice(0, rank - 1).every((b, d) => b === 0 && size[d] === shape[d])) {
    const stride = (shape[rank - 1] as number) * inner;
    const rows = out.length / run;
    let src = (begin[rank - 1] as number) * inner;
    if (run < SHORT_RUN) {
      for (let r = 0, o = 0; r < rows; r++, src += stride) for (let j = 0; j < run; j++, o++) out[o] = x[src + j] as number;
    } else {
      for (let r = 0; r < rows; r++, src += stride) out.set(x.subarray(src, src + run), r * run);
    }
    return out;
  }
  const idx = new Array<number>(rank - 1).fill(0);
  let o = 0;
  for (;;) {
    let src = (begin[rank - 1] as number) * inner;
    for (let d = 0; d < rank - 1; d++) src += ((begin[d] as number) + (idx[d] as number)) * (strides[d] as number);
    if (run < SHORT_RUN) for (let j = 0; j < run; j++) out[o + j] = x[src + j] as number;
    else out.set(x.subarray(src, src + run), o);
    o += run;
    let d = rank - 2;
    while (d >= 0) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (size[d] as number)) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) break;
  }
  return out;
}

/** cpu Slice: one contiguous copy per run of the last axis (stock copies element by element). */
function slice(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const xv = numericValues(backend, x);
  if (xv === null) return runCpuKernel('Slice', args.inputs, backend, attrs);
  const [begin, size] = tf.slice_util.parseSliceParams(x, attrs['begin'] as number[], attrs['size'] as number[]) as [number[], number[]];
  return backend.makeTensorInfo(size, x.dtype, sliceValues(xv, x.shape, begin, size));
}

/** cpu SplitV on the fast slice (stock SplitV is tfjs's slowest kernel in a BiGRU step). */
function splitV(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const xv = numericValues(backend, x);
  if (xv === null) return runCpuKernel('SplitV', args.inputs, backend, attrs) as unknown as tf.TensorInfo[];
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, x.shape)[0] as number;
  const dim = x.shape[axis] as number;
  const spec = attrs['numOrSizeSplits'] as number | number[];
  let sizes: number[];
  if (typeof spec === 'number') {
    sizes = new Array<number>(spec).fill(dim / spec);
  } else {
    const known = spec.reduce((s, v) => (v === -1 ? s : s + v), 0);
    sizes = spec.map((v) => (v === -1 ? dim - known : v));
  }
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = [...x.shape];
    size[axis] = s;
    const info = backend.makeTensorInfo(size, x.dtype, sliceValues(xv, x.shape, [...begin], size));
    begin[axis] = (begin[axis] as number) + s;
    return info;
  });
}

/** cpu Sum over a leading or trailing block of axes, float32, without the stock transpose. */
function sum(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape).sort((a, b) => a - b);
  // Size-1 dimensions do not change the memory order: classify the reduced axes among the others.
  const kept1 = x.shape.map((_, i) => i).filter((i) => x.shape[i] !== 1);
  const reducedAt = kept1.map((i) => axes.includes(i));
  const nr = reducedAt.filter(Boolean).length;
  const leading = reducedAt.every((r, i) => r === i < nr);
  const trailing = reducedAt.every((r, i) => r === i >= reducedAt.length - nr);
  const xv = backend.data.get(x.dataId).values;
  if (x.dtype !== 'float32' || !(xv instanceof Float32Array) || axes.length === 0 || !(leading || trailing)) {
    return runCpuKernel('Sum', args.inputs, backend, attrs);
  }
  const reduced = axes.reduce((p, a) => p * (x.shape[a] as number), 1);
  const kept = x.shape.reduce((p, d, i) => (axes.includes(i) ? p : p * d), 1);
  const out = new Float32Array(kept);
  const simd = leading ? columnSumsSimd(xv, reduced, kept) : null;
  if (simd !== null) out.set(simd);
  else if (leading) {
    for (let r = 0; r < reduced; r++) {
      const o = r * kept;
      for (let j = 0; j < kept; j++) out[j] = (out[j] as number) + (xv[o + j] as number);
    }
  } else {
    for (let j = 0; j < kept; j++) {
      let s = 0;
      const o = j * reduced;
      for (let r = 0; r < reduced; r++) s += xv[o + r] as number;
      out[j] = s;
    }
  }
  const keepDims = attrs['keepDims'] === true;
  const shape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return backend.makeTensorInfo(shape, 'float32', out);
}

type BinaryOp = 'Add' | 'Multiply' | 'Sub' | 'RealDiv';
const OP_CODE: Record<BinaryOp, number> = { Add: 0, Multiply: 1, Sub: 2, RealDiv: 3 };

/**
 * out[i] = big[i] (op) small[i mod small.length] in the SIMD module (operands copied in, result
 * copied out), when small is a scalar or a multiple of 4 long; null otherwise.
 */
function broadcastSimd(op: BinaryOp, big: Float32Array, small: Float32Array): Float32Array | null {
  const n4 = (big.length + 3) & ~3;
  // Equal lengths: one row of n4 (the padding lanes are computed and dropped).
  const m = small.length === big.length ? n4 : small.length;
  if (big.length < SIMD_MIN || !(m === 1 || m % 4 === 0)) return null;
  const sOff = n4;
  const dOff = sOff + ((m + 3) & ~3);
  const s = simdHeap(dOff + n4);
  if (s === null) return null;
  s.h.set(big, 0);
  s.h.set(small, sOff);
  s.w.broadcast(OP_CODE[op], 0, sOff * 4, dOff * 4, m === 1 ? n4 : n4 / m, m);
  return s.h.slice(dOff, dOff + big.length);
}

/** Relu or Step (leaky slope alpha) in the SIMD module; null without it or on small inputs. */
function unarySimd(name: 'Relu' | 'Step', x: Float32Array, alpha: number): Float32Array | null {
  if (x.length < SIMD_MIN) return null;
  const n4 = (x.length + 3) & ~3;
  const s = simdHeap(2 * n4);
  if (s === null) return null;
  s.h.set(x, 0);
  if (name === 'Relu') s.w.relu(0, n4 * 4, n4);
  else s.w.step(0, n4 * 4, n4, alpha);
  return s.h.slice(n4, n4 + x.length);
}

/** out[i] = big[i] (+ or *) small[i mod small.length]: one monomorphic loop per operation. */
function broadcastLoop(multiply: boolean, big: Float32Array, small: Float32Array): Float32Array {
  const out = new Float32Array(big.length);
  const n = small.length;
  if (multiply) {
    for (let i0 = 0; i0 < big.length; i0 += n) for (let j = 0; j < n; j++) out[i0 + j] = (big[i0 + j] as number) * (small[j] as number);
  } else {
    for (let i0 = 0; i0 < big.length; i0 += n) for (let j = 0; j < n; j++) out[i0 + j] = (big[i0 + j] as number) + (small[j] as number);
  }
  return out;
}

/** True when `small` holds one value, or, its leading 1s dropped, equals the trailing dimensions of `big`. */
function isTrailingBlock(big: number[], small: number[]): boolean {
  if (small.every((d) => d === 1)) return true; // one value ([1], [1, 1], scalar): any shape
  let s = small;
  while (s.length > 0 && s[0] === 1) s = s.slice(1); // [1, 1, 1, c] is a block of c, like [c]
  if (s.length > big.length) return false;
  return s.every((d, i) => d === big[big.length - s.length + i]);
}

/**
 * Float32 Add / Multiply when both shapes are equal or one is a trailing block of the other (a bias
 * over channels): a flat loop instead of the stock per-element index arithmetic. Both operations
 * are commutative, so the larger operand always leads.
 */
function binary(name: 'Add' | 'Multiply') {
  const multiply = name === 'Multiply';
  const fast = (big: Float32Array, small: Float32Array) => broadcastSimd(name, big, small) ?? broadcastLoop(multiply, big, small);
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as CpuBackend;
    const a = args.inputs['a'] as tf.TensorInfo;
    const b = args.inputs['b'] as tf.TensorInfo;
    const av = backend.data.get(a.dataId).values;
    const bv = backend.data.get(b.dataId).values;
    if (a.dtype === 'float32' && b.dtype === 'float32' && av instanceof Float32Array && bv instanceof Float32Array && av.length > 0 && bv.length > 0) {
      const shape = () => tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape);
      if (av.length >= bv.length && isTrailingBlock(a.shape, b.shape)) return backend.makeTensorInfo(shape(), 'float32', fast(av, bv));
      if (bv.length > av.length && isTrailingBlock(b.shape, a.shape)) return backend.makeTensorInfo(shape(), 'float32', fast(bv, av));
    }
    return runCpuKernel(name, args.inputs, backend, args.attrs ?? {});
  };
}

/** out[i] = big[i] (- or /) small[i mod small.length] (JavaScript rounds each result to float32 on store, as stock). */
function orderedLoop(divide: boolean, big: Float32Array, small: Float32Array): Float32Array {
  const out = new Float32Array(big.length);
  const n = small.length;
  if (divide) {
    for (let i0 = 0; i0 < big.length; i0 += n) for (let j = 0; j < n; j++) out[i0 + j] = (big[i0 + j] as number) / (small[j] as number);
  } else {
    for (let i0 = 0; i0 < big.length; i0 += n) for (let j = 0; j < n; j++) out[i0 + j] = (big[i0 + j] as number) - (small[j] as number);
  }
  return out;
}

/**
 * Float32 Sub / RealDiv when `b` equals `a`'s shape or is a trailing block of it (Adam divides by
 * scalars): in the SIMD module, or a flat loop below its size threshold; every other case to the stock kernel.
 */
function ordered(name: 'Sub' | 'RealDiv') {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as CpuBackend;
    const a = args.inputs['a'] as tf.TensorInfo;
    const b = args.inputs['b'] as tf.TensorInfo;
    const av = backend.data.get(a.dataId).values;
    const bv = backend.data.get(b.dataId).values;
    if (a.dtype === 'float32' && b.dtype === 'float32' && av instanceof Float32Array && bv instanceof Float32Array && bv.length > 0 && av.length >= bv.length && isTrailingBlock(a.shape, b.shape)) {
      const out = broadcastSimd(name, av, bv) ?? orderedLoop(name === 'RealDiv', av, bv);
      return backend.makeTensorInfo(tf.broadcast_util.assertAndGetBroadcastShape(a.shape, b.shape), 'float32', out);
    }
    return runCpuKernel(name, args.inputs, backend, args.attrs ?? {});
  };
}

/** Float32 Relu (Math.max(0, x), NaN kept) and Step (its gradient mask) as flat loops. */
function unary(name: 'Relu' | 'Step') {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as CpuBackend;
    const x = args.inputs['x'] as tf.TensorInfo;
    const xv = backend.data.get(x.dataId).values;
    if (x.dtype !== 'float32' || !(xv instanceof Float32Array)) return runCpuKernel(name, args.inputs, backend, args.attrs ?? {});
    const alphaAttr = (args.attrs?.['alpha'] as number | undefined) ?? 0;
    const simd = unarySimd(name, xv, alphaAttr);
    if (simd !== null) return backend.makeTensorInfo(x.shape, 'float32', simd);
    const out = new Float32Array(xv.length);
    if (name === 'Relu') {
      for (let i = 0; i < xv.length; i++) {
        const v = xv[i] as number;
        out[i] = v > 0 ? v : v !== v ? NaN : 0;
      }
    } else {
      const alpha = (args.attrs?.['alpha'] as number | undefined) ?? 0;
      for (let i = 0; i < xv.length; i++) {
        const v = xv[i] as number;
        out[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
      }
    }
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}


/** cpu Neg as a flat loop (stock multiplies by -1 through the general broadcast path). */
function neg(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const xv = numericValues(backend, x);
  if (xv === null) return runCpuKernel('Neg', args.inputs, backend, args.attrs ?? {});
  const out = new (xv.constructor as new (n: number) => Values)(xv.length);
  for (let i = 0; i < xv.length; i++) out[i] = -(xv[i] as number);
  return backend.makeTensorInfo(x.shape, x.dtype, out);
}

/** cpu PadV2 (constant padding): filled with the constant, the input copied in contiguous runs. */
function padV2(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const xv = numericValues(backend, x);
  const paddings = attrs['paddings'] as [number, number][];
  if (xv === null || x.shape.length === 0) return runCpuKernel('PadV2', args.inputs, backend, attrs);
  const shape = x.shape.map((d, i) => (paddings[i] as [number, number])[0] + d + (paddings[i] as [number, number])[1]);
  const out = new (xv.constructor as new (n: number) => Values)(tf.util.sizeFromShape(shape));
  const constant = (attrs['constantValue'] as number | undefined) ?? 0;
  if (constant !== 0) out.fill(constant);
  if (xv.length === 0) return backend.makeTensorInfo(shape, x.dtype, out);
  // Trailing dimensions without padding are contiguous in both: one copy covers them and the
  // padded dimension before them; `rank` dimensions remain to iterate.
  let rank = x.shape.length;
  let inner = 1;
  while (rank > 1 && (paddings[rank - 1] as [number, number])[0] === 0 && (paddings[rank - 1] as [number, number])[1] === 0) inner *= x.shape[--rank] as number;
  const outStrides = tf.util.computeStrides(shape);
  const run = (x.shape[rank - 1] as number) * inner;
  const rows = xv.length / run;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let r = 0; r < rows; r++) {
    let dst = (paddings[rank - 1] as [number, number])[0] * inner;
    for (let d = 0; d < rank - 1; d++) dst += ((idx[d] as number) + (paddings[d] as [number, number])[0]) * (outStrides[d] as number);
    if (run < SHORT_RUN) {
      for (let j = 0, src = r * run; j < run; j++) out[dst + j] = xv[src + j] as number;
    } else {
      out.set(xv.subarray(r * run, (r + 1) * run), dst);
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d] = (idx[d] as number) + 1;
      if ((idx[d] as number) < (x.shape[d] as number)) break;
      idx[d] = 0;
    }
  }
  return backend.makeTensorInfo(shape, x.dtype, out);
}

/**
 * cpu Transpose when the permutation only moves dimensions of size 1 (e.g. [n, 1] -> [1, n]): the
 * values keep their order, so a copy; other permutations go to the stock kernel.
 */
function transpose(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const attrs = args.attrs ?? {};
  const perm = attrs['perm'] as number[];
  const xv = numericValues(backend, x);
  const order = perm.filter((a) => x.shape[a] !== 1);
  if (xv === null || !order.every((a, i) => i === 0 || a > (order[i - 1] as number))) return runCpuKernel('Transpose', args.inputs, backend, attrs);
  return backend.makeTensorInfo(perm.map((a) => x.shape[a] as number), x.dtype, xv.slice());
}


/**
 * cpu Concat of float32 or int32 tensors: for each index before the axis, each input's block
 * after it is contiguous in the input and in the output, so one copy per input and outer index.
 */
function concat(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const attrs = args.attrs ?? {};
  const inputs = Object.values(args.inputs) as tf.TensorInfo[];
  const first = inputs[0];
  const values = inputs.map((t) => numericValues(backend, t));
  const stock = () => runCpuKernel('Concat', args.inputs, backend, attrs);
  if (first === undefined || values.some((v) => v === null) || inputs.some((t) => t.dtype !== first.dtype || t.shape.length !== first.shape.length || t.shape.length === 0)) return stock();
  const axis = tf.util.parseAxisParam(attrs['axis'] as number, first.shape)[0] as number;
  const outer = first.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  if (inputs.some((t) => t.shape.some((d, i) => i !== axis && d !== first.shape[i]))) return stock();
  const shape = [...first.shape];
  shape[axis] = inputs.reduce((p, t) => p + (t.shape[axis] as number), 0);
  const blocks = inputs.map((t) => tf.util.sizeFromShape(t.shape) / Math.max(1, outer));
  const width = blocks.reduce((p, b) => p + b, 0);
  const out = new (values[0]!.constructor as new (n: number) => Values)(outer * width);
  for (let i = 0, at = 0; i < inputs.length; i++) {
    const v = values[i] as Values;
    const b = blocks[i] as number;
    for (let o = 0; o < outer; o++) {
      const src = o * b;
      const dst = o * width + at;
      if (b < SHORT_RUN) for (let j = 0; j < b; j++) out[dst + j] = v[src + j] as number;
      else out.set(v.subarray(src, src + b), dst);
    }
    at += b;
  }
  return backend.makeTensorInfo(shape, first.dtype, out);
}

/**
 * cpu Square (float32): x * x, in the SIMD module from SIMD_MIN elements (as Multiply of x by
 * itself), else a loop; each value the correctly rounded float32 product, as the stock kernel's
 * float64 product rounded to float32 (exact for a product of two floats). Batch norm's variance
 * and its gradient call it on every activation (MSMRNet-10: 31 calls of [19968, 16] per step).
 */
function square(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as CpuBackend;
  const x = args.inputs['x'] as tf.TensorInfo;
  const xv = backend.data.get(x.dataId).values;
  if (x.dtype !== 'float32' || !(xv instanceof Float32Array)) return runCpuKernel('Square', args.inputs, backend, args.attrs ?? {});
  const simd = broadcastSimd('Multiply', xv, xv);
  if (simd !== null) return backend.makeTensorInfo(x.shape, 'float32', simd);
  const out = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) out[i] = (xv[i] as number) * (xv[i] as number);
  return backend.makeTensorInfo(x.shape, 'float32', out);
}

/** Slice, SplitV, Concat, Sum, Add, Multiply, Sub, RealDiv, Relu, Step, Neg, Square, PadV2 and Transpose fast paths for the cpu backend (stock kernels for other cases). */
export const ELEMENTWISE_KERNELS: tf.KernelConfig[] = [
  { kernelName: 'Slice', backendName: 'cpu', kernelFunc: slice as unknown as tf.KernelFunc },
  { kernelName: 'SplitV', backendName: 'cpu', kernelFunc: splitV as unknown as tf.KernelFunc },
  { kernelName: 'Sum', backendName: 'cpu', kernelFunc: sum as unknown as tf.KernelFunc },
  { kernelName: 'Add', backendName: 'cpu', kernelFunc: binary('Add') as unknown as tf.KernelFunc },
  { kernelName: 'Multiply', backendName: 'cpu', kernelFunc: binary('Multiply') as unknown as tf.KernelFunc },
  { kernelName: 'Sub', backendName: 'cpu', kernelFunc: ordered('Sub') as unknown as tf.KernelFunc },
  { kernelName: 'RealDiv', backendName: 'cpu', kernelFunc: ordered('RealDiv') as unknown as tf.KernelFunc },
  { kernelName: 'Relu', backendName: 'cpu', kernelFunc: unary('Relu') as unknown as tf.KernelFunc },
  { kernelName: 'Step', backendName: 'cpu', kernelFunc: unary('Step') as unknown as tf.KernelFunc },
  { kernelName: 'Neg', backendName: 'cpu', kernelFunc: neg as unknown as tf.KernelFunc },
  { kernelName: 'Square', backendName: 'cpu', kernelFunc: square as unknown as tf.KernelFunc },
  { kernelName: 'PadV2', backendName: 'cpu', kernelFunc: padV2 as unknown as tf.KernelFunc },
  { kernelName: 'Transpose', backendName: 'cpu', kernelFunc: transpose as unknown as tf.KernelFunc },
  { kernelName: 'Concat', backendName: 'cpu', kernelFunc: concat as unknown as tf.KernelFunc },
];
