/**
 * A Node built-in module (`node:worker_threads`, `node:os`, ...) loaded through
 * `process.getBuiltinModule` (Node >= 20.16) without a static import, so bundles for the browser
 * stay free of Node modules; null where the runtime has no such module or loader.
 */
export function nodeBuiltin<T>(id: string): T | null {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const load = p?.getBuiltinModule;
  if (typeof load !== 'function') return null;
  try {
    return (load.call(p, id) as T | undefined) ?? null;
  } catch {
    return null;
  }
}
