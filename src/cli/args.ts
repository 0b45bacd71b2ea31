import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValueError } from '../errors.js';

/** An option of a CLI command: its `util.parseArgs` config plus the line shown by `--help`. */
export interface CliOption {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** What the option does (shown by `--help`). */
  help: string;
  /** Placeholder shown by `--help`, e.g. `<dir>`. */
  value?: string;
}

/** A CLI command: its name, a one-line summary, its usage line and options. */
export interface CliCommand {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, CliOption>;
  /** Runs the command with the parsed values; resolves to the exit code. */
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** The `--help` text of a command. */
export function helpText(cmd: CliCommand): string {
  const lines = [`flowsentry ${cmd.name}: ${cmd.summary}`, '', `Usage: ${cmd.usage}`, '', 'Options:'];
  const entries = Object.entries({ ...cmd.options, help: { type: 'boolean', short: 'h', help: 'show this help' } as CliOption });
  const left = entries.map(([name, o]) => `  ${o.short ? `-${o.short}, ` : '    '}--${name}${o.value ? ` ${o.value}` : ''}`);
  const width = Math.max(...left.map((l) => l.length)) + 2;
  entries.forEach(([, o], i) => lines.push(`${left[i]!.padEnd(width)}${o.help}`));
  return lines.join('\n');
}

/** Parses `argv` for `cmd` (strict: unknown options are errors), handling `--help`. Returns null when help was printed. */
export function parseCommand(cmd: CliCommand, argv: string[]): { values: Record<string, unknown>; positionals: string[] } | null {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [name, o] of Object.entries(cmd.options)) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) };
  }
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  if (values.help) {
    console.log(helpText(cmd));
    return null;
  }
  return { values, positionals };
}

/** Reads a required string option. */
export function required(values: Record<string, unknown>, name: string, expected: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') throw new ValueError(`--${name}`, expected, v);
  return v;
}

/** Reads an optional integer option. */
export function intOption(values: Record<string, unknown>, name: string, fallback: number, min = 0): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isInteger(n) || n < min) throw new ValueError(`--${name}`, `an integer >= ${min}`, v);
  return n;
}

/** Reads an optional number option in an open interval. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number, lo: number, hi: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || !(n > lo && n < hi)) throw new ValueError(`--${name}`, `a number in (${lo}, ${hi})`, v);
  return n;
}

/** Reads an option restricted to a set of choices. */
export function choice<T extends string>(values: Record<string, unknown>, name: string, choices: readonly T[], fallback?: T): T {
  const v = values[name] ?? fallback;
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) throw new ValueError(`--${name}`, `one of ${choices.join(', ')}`, v);
  return v as T;
}
