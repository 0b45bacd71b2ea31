/** Where and how {@link trainModel} reports progress. */
export type Verbosity = 'auto' | 'bar' | 'lines' | 'silent';

/** A writable text sink (process.stdout by default). */
export interface TextSink {
  /** Writes `text` as is (no newline added); the return value is ignored. */
  write(text: string): unknown;
  /** True for an interactive terminal: verbosity 'auto' then draws a progress bar, else one line per epoch. */
  isTTY?: boolean;
}

function fmt(logs: Record<string, number>): string {
  return Object.entries(logs)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4)}`)
    .join('  ');
}

/**
 * Progress reporting: a redrawn bar in an interactive terminal, one clean line per epoch
 * otherwise (CI logs), nothing when silent.
 */
export class Progress {
  private readonly mode: 'bar' | 'lines' | 'silent';
  private lastDraw = 0;

  constructor(
    verbosity: Verbosity,
    private readonly sink: TextSink = process.stdout,
  ) {
    this.mode = verbosity === 'auto' ? (sink.isTTY === true ? 'bar' : 'lines') : verbosity;
  }

  /** Called after each batch; redraws the bar at most ten times a second. */
  batch(epoch: number, epochs: number, done: number, total: number, loss: number): void {
    if (this.mode !== 'bar') return;
    const now = Date.now();
    if (done < total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round((width * done) / total);
    const bar = '='.repeat(Math.max(0, filled - 1)) + (filled > 0 ? '>' : '') + ' '.repeat(width - filled);
    this.sink.write(`\r\x1b[2Kepoch ${epoch + 1}/${epochs} [${bar}] ${done}/${total}  loss ${loss.toFixed(4)}`);
  }

  /** Called at the end of each epoch with its logs and wall time. */
  epoch(epoch: number, epochs: number, logs: Record<string, number>, seconds: number): void {
    if (this.mode === 'silent') return;
    const prefix = this.mode === 'bar' ? '\r\x1b[2K' : '';
    this.sink.write(`${prefix}epoch ${epoch + 1}/${epochs}  ${fmt(logs)}  (${seconds.toFixed(1)} s)\n`);
  }

  /** A free-form message (early stop, checkpoint, interruption). */
  note(message: string): void {
    if (this.mode === 'silent') return;
    this.sink.write(`${this.mode === 'bar' ? '\r\x1b[2K' : ''}${message}\n`);
  }
}
