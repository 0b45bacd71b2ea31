import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

function capture(): { out: () => string; err: () => string } {
  const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  return { out: () => log.mock.calls.map((c) => c.join(' ')).join('\n'), err: () => error.mock.calls.map((c) => c.join(' ')).join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('flowsentry CLI', () => {
  it('lists the commands and exits 2 without one', async () => {
    const c = capture();
    expect(await main([])).toBe(2);
    for (const name of ['train', 'evaluate', 'score', 'bench', 'demo']) expect(c.out()).toContain(name);
  });

  it.each(['train', 'evaluate', 'score', 'bench', 'demo'])('%s --help prints its options and exits 0', async (name) => {
    const c = capture();
    expect(await main([name, '--help'])).toBe(0);
    expect(c.out()).toContain(`flowsentry ${name}`);
    expect(c.out()).toContain('--help');
  });

  it('rejects unknown commands and options with exit code 2 and a message', async () => {
    const c = capture();
    expect(await main(['nope'])).toBe(2);
    expect(c.err()).toContain("unknown command 'nope'");
    expect(await main(['demo', '--nope'])).toBe(2);
    expect(c.err()).toMatch(/Unknown option '--nope'/);
    expect(await main(['demo', '--epochs', 'x'])).toBe(2);
    expect(c.err()).toContain('--epochs: expected an integer >= 1, received "x"');
  });

  it('demo trains, reports the backend and prints a per-class table', async () => {
    const c = capture();
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await main(['demo', '--epochs', '1'])).toBe(0);
    write.mockRestore();
    expect(c.out()).toMatch(/flowsentry: using the .* backend/);
    expect(c.out()).toMatch(/weighted avg/);
    for (const cls of ['BENIGN', 'DoS', 'PortScan', 'Bot', 'WebAttack']) expect(c.out()).toContain(cls);
  });
});
