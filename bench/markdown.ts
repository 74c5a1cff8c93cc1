/** Markdown output of the bench: a GitHub table and number formats (pure; unit-tested). */

/** Right-aligned unless the column is marked as text, so figures line up when rendered. */
export interface Column {
  title: string;
  text?: boolean;
}

/** A GitHub-flavoured table; a `|` inside a cell is escaped. */
export function markdownTable(columns: readonly Column[], rows: readonly string[][]): string {
  const cell = (value: string) => value.replaceAll('|', '\\|');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${columns.map((column) => (column.text ? '---' : '---:')).join('|')}|`;
  return [line(columns.map((column) => column.title)), rule, ...rows.map(line)].join('\n');
}

/** A figure with `digits` decimals and thousands separators; `n/a` when it could not be measured. */
export function fmt(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** A signed figure: `+1.25` or `-0.40`. */
export function signed(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return 'n/a';
  return `${value >= 0 ? '+' : '-'}${fmt(Math.abs(value), digits)}`;
}
