import type { LedgerCell } from '../../report.js';

/** The memory backend's ledger: hour → channel → field → value. */
export class LedgerTable {
  private readonly hours = new Map<number, Map<string, Map<string, number>>>();

  /** The counters of the last (hour, channel) written: most messages of a run hit the same one. */
  private last: { hour: number; channel: string; fields: Map<string, number> } | undefined;

  /** A LedgerSink: bound once, called for every counter move. */
  readonly add = (hour: number, channel: string, field: string, by: number): void => {
    const fields = this.fieldsOf(hour, channel);
    fields.set(field, (fields.get(field) ?? 0) + by);
  };

  private fieldsOf(hour: number, channel: string): Map<string, number> {
    const last = this.last;
    if (last !== undefined && last.hour === hour && last.channel === channel) return last.fields;
    let channels = this.hours.get(hour);
    if (channels === undefined) {
      channels = new Map();
      this.hours.set(hour, channels);
    }
    let fields = channels.get(channel);
    if (fields === undefined) {
      fields = new Map();
      channels.set(channel, fields);
    }
    this.last = { hour, channel, fields };
    return fields;
  }

  cells(firstHour: number, lastHour: number): LedgerCell[] {
    const cells: LedgerCell[] = [];
    for (const [hour, channels] of this.hours) {
      if (hour < firstHour || hour > lastHour) continue;
      for (const [channel, fields] of channels) {
        for (const [field, value] of fields) cells.push({ hour, channel, field, value });
      }
    }
    return cells;
  }

  clear(): void {
    this.last = undefined;
    this.hours.clear();
  }
}
