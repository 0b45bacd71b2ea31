/**
 * Whether the product kernel may use WebAssembly relaxed SIMD (`f32x4.relaxed_madd`: one fused
 * multiply-add per step instead of a multiply and an add). Relaxed SIMD is on by default from
 * Node 22 and in current Chrome; Node 20's V8 has it behind `--experimental-wasm-relaxed-simd`,
 * which Node lets a program set at run time (`v8.setFlagsFromString`) before compiling. Browsers
 * never get the flag set: there the module validates or it does not.
 */
import { nodeBuiltin } from '../util/builtin.js';

interface V8Flags {
  setFlagsFromString(flags: string): void;
}

/** Set by {@link setRelaxedSimdWanted}; undefined: the environment decides. */
let wanted: boolean | undefined;

/** `FLOWSENTRY_RELAXED_SIMD=0` in the environment (Node) opts out; anything else, or no process, opts in. */
function environmentWants(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.['FLOWSENTRY_RELAXED_SIMD'] !== '0';
}

/** True unless relaxed SIMD was turned off (by the setter, else by the environment). */
export function relaxedSimdWanted(): boolean {
  return wanted ?? environmentWants();
}

/** Overrides the environment (`undefined` returns to it). */
export function setRelaxedSimdWanted(on: boolean | undefined): void {
  wanted = on;
}

/**
 * True when `validate` accepts `bytes` (a module using relaxed SIMD). On Node, when it does not,
 * turns on V8's relaxed-SIMD flag and asks again: the flag only makes V8 accept the proposal's
 * instructions, which Node 22+ does by default. Any error: false (the caller uses the plain module).
 */
export function relaxedSimdUsable(validate: (bytes: Uint8Array) => boolean, bytes: Uint8Array): boolean {
  try {
    if (validate(bytes)) return true;
    const v8 = nodeBuiltin<V8Flags>('node:v8');
    if (v8 === null || typeof v8.setFlagsFromString !== 'function') return false;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    return validate(bytes);
  } catch {
    return false;
  }
}
