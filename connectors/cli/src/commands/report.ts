import type { ReportQuery } from '@botsession/core';
import { type Command, Option } from 'commander';
import { checkTimeZone, parseDate, parseRangeStart } from '../dates.js';
import { usageError } from '../errors.js';
import { connectionFlags, connectionOptions, list } from '../options.js';
import { reportCsv, reportJson, reportTables } from '../report-format.js';
import { withTracker } from '../tracker-session.js';

interface ReportFlags {
  from: string;
  to: string;
  by: string;
  tz: string;
  channel?: string[];
  json?: boolean;
  csv?: boolean;
}

type By = NonNullable<ReportQuery['by']>;

/** `--by day` means per channel and day: every row belongs to a channel. */
export function parseBy(text: string): By {
  const keys = list(text);
  const unknown = keys.filter((k) => k !== 'channel' && k !== 'hour' && k !== 'day');
  if (keys.length === 0 || unknown.length > 0) {
    throw usageError(`--by takes channel, hour or day separated by commas, got ${JSON.stringify(text)}`);
  }
  if (keys.includes('hour') && keys.includes('day')) {
    throw usageError('--by takes hour or day, not both');
  }
  const period = keys.find((k) => k === 'hour' || k === 'day');
  return period === undefined ? ['channel'] : ['channel', period];
}

/**
 * `botsession report`: the store's usage ledger per channel (and hour or day), as tables,
 * JSON (the rows as core returns them) or CSV.
 */
export function reportCommand(program: Command): void {
  const command = program
    .command('report')
    .description("usage per channel (and per hour or day) from the store's ledger")
    .option(
      '--from <date>',
      'start of the range, included: ISO date or time, or a duration ago (7d, 24h: from the hour holding it)',
      '7d',
    )
    .option('--to <date>', 'end of the range, excluded', 'now')
    .option(
      '--by <keys>',
      'rows per channel, or per channel and hour or day: channel | channel,hour | channel,day',
      'channel',
    )
    .option(
      '--tz <zone>',
      'IANA time zone for day and hour boundaries and for dates without an offset',
      'UTC',
    )
    .option('--channel <ids>', 'only these channels, separated by commas', list)
    .addOption(new Option('--json', 'the rows as JSON').conflicts('csv'))
    .option('--csv', 'the rows as CSV, one column per field');
  connectionOptions(command).action(async (flags: ReportFlags) => {
    const now = Date.now();
    const timeZone = checkTimeZone('--tz', flags.tz);
    const from = parseRangeStart('--from', flags.from, now, timeZone);
    const to = parseDate('--to', flags.to, now, timeZone);
    if (from >= to) {
      throw usageError(
        `--from must be before --to, got ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
      );
    }
    const options: ReportQuery = { from, to, by: parseBy(flags.by), timeZone };
    if (flags.channel !== undefined && flags.channel.length > 0) options.channels = flags.channel;
    const rows = await withTracker(connectionFlags(command), (tracker) => tracker.report(options));
    if (flags.json) process.stdout.write(reportJson(rows));
    else if (flags.csv) process.stdout.write(reportCsv(rows));
    else process.stdout.write(reportTables(rows, { from, to, timeZone }));
  });
}
