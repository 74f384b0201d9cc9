/** How the CLI prints: padded text tables, money and rates, and a progress bar for long writes. */
import { Presets, SingleBar } from 'cli-progress';
import { InvalidArgumentError } from 'commander';
import type { Io } from './context';

/** A plain text table: the columns padded to their widest cell. */
export function formatTable(headers: string[], rows: Array<Array<string | number | undefined>>): string {
  const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => (cell ?? '').padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
export const pct = (rate: number | null) => (rate === null ? '-' : `${Math.round(rate * 1000) / 10}%`);

/** commander argument parser: a whole number from 1 to 500. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) throw new InvalidArgumentError('expected a whole number from 1 to 500');
  return n;
}

/** Writes the items one by one, with a progress bar when the output is a terminal. */
export async function withProgress<T>(io: Io, label: string, items: T[], write: (item: T) => Promise<void>): Promise<void> {
  const bar = io.progressStream
    ? new SingleBar({ format: `${label} [{bar}] {value}/{total} rows`, stream: io.progressStream, hideCursor: true }, Presets.shades_classic)
    : undefined;
  bar?.start(items.length, 0);
  try {
    for (const item of items) {
      await write(item);
      bar?.increment();
    }
  } finally {
    bar?.stop();
  }
}
