import Table from 'cli-table3';

/** No line between rows: a report of many rows stays as tall as its rows. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/**
 * A plain table (no colours, so piped output reads like the terminal's): text columns left,
 * columns from `numericFrom` on right-aligned.
 */
export function newTable(head: string[], numericFrom = head.length): Table.Table {
  return new Table({
    head,
    chars: COMPACT,
    style: { head: [], border: [] },
    colAligns: head.map((_, i) => (i < numericFrom ? 'left' : 'right')),
  });
}

/**
 * A compact table drawn with a rule under its head and, when `totalRow` is given (its
 * index among the body rows), a rule above that row. Cells are one line each.
 */
export function drawTable(table: Table.Table, totalRow?: number): string {
  const lines = table.toString().split('\n');
  const top = lines[0] ?? '';
  const rule = top.replace('┌', '├').replaceAll('┬', '┼').replace('┐', '┤');
  // Line 0 is the top border, line 1 the head, body rows follow.
  if (totalRow !== undefined) lines.splice(2 + totalRow, 0, rule);
  lines.splice(2, 0, rule);
  return lines.join('\n');
}

/** A two-column field/value table. */
export function fieldsTable(rows: ReadonlyArray<readonly [string, string]>): string {
  const table = new Table({ chars: COMPACT, style: { head: [], border: [] } });
  for (const [field, value] of rows) table.push({ [field]: value });
  return table.toString();
}
