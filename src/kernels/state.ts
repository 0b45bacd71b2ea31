let enabled = true;

/** True while flowsentry's kernels (fused recurrent sequences, cpu overrides) are in use. */
export function flowsentryKernelsEnabled(): boolean {
  return enabled;
}

/** Internal: set by `setFlowsentryKernels`. */
export function setEnabledFlag(on: boolean): void {
  enabled = on;
}
