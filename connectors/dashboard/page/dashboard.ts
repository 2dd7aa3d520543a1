// The dashboard page: reads api/report (the tracker's ledger) and draws it with uPlot, which
// uPlot.min.js (served beside this file) defines as a global. Classic script, no imports.

interface Percentiles {
  p50: number | null;
  p90: number | null;
  mean: number | null;
}
interface Row {
  channel: string;
  period?: { from: number; to: number; label: string };
  sessions: number;
  ended: Record<string, number>;
  endedTotal: number;
  interactions: number;
  durationMs: Percentiles;
  interactionsPerSession: Percentiles;
  surveys: { sent: number; answered: number; meanScore: number | null };
  active: number;
}
interface Data {
  from: number;
  to: number;
  step: 'hour' | 'day';
  timeZone: string;
  totals: Row[];
  series: Row[];
}
interface ChartSeries {
  label?: string;
  stroke?: string;
  fill?: string;
  width?: number;
  dash?: number[];
  paths?: unknown;
  points?: { show: boolean };
  value?: (u: unknown, v: number | null, seriesIdx: number, idx: number | null) => string;
}
interface Chart {
  destroy(): void;
}
declare const uPlot: {
  new (opts: object, data: Array<Array<number | null>>, target: HTMLElement): Chart;
  paths: { bars?: (opts?: object) => unknown };
};

const HOUR_MS = 3_600_000;
const REASONS = ['inactivity', 'closed', 'handoff', 'survey', 'interrupted', 'manual'];
const PALETTE = ['#0969da', '#1a7f37', '#bf3989', '#9a6700', '#8250df', '#cf222e', '#0a7480', '#6e7781'];
const REASON_COLORS: Record<string, string> = {
  inactivity: '#6e7781',
  closed: '#0969da',
  handoff: '#cf222e',
  survey: '#1a7f37',
  interrupted: '#9a6700',
  manual: '#8250df',
};

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = byId<HTMLFormElement>('controls');
const rangeSelect = byId<HTMLSelectElement>('range');
const fromInput = byId<HTMLInputElement>('from');
const toInput = byId<HTMLInputElement>('to');
const channelSelect = byId<HTMLSelectElement>('channel');
const refreshSelect = byId<HTMLSelectElement>('refresh');
const statusLine = byId<HTMLParagraphElement>('status');
const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const knownChannels = new Set<string>();
const charts: Chart[] = [];
let timer: number | undefined;
let lastData: Data | undefined;
let loading = 0;

const integer = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => (whole > 0 ? part / whole : null);
const showPercent = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const showCount = (x: number | null) => (x === null ? '–' : x.toFixed(1));
function showDuration(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

function range(): { from: number; to: number } {
  if (rangeSelect.value === 'custom') {
    const from = new Date(fromInput.value).getTime();
    const to = new Date(toInput.value).getTime();
    if (Number.isFinite(from) && Number.isFinite(to) && from < to) return { from, to };
  }
  // The ledger counts per hour and a range takes the hours that start in it, so "last hour" from
  // now back would hold only the current clock hour: a minute past it, nearly nothing. A preset
  // range starts at the hour that holds its first moment instead, so it always covers its span.
  const span = Number(rangeSelect.value) || 86_400_000;
  const to = Date.now();
  return { from: Math.floor((to - span) / HOUR_MS) * HOUR_MS, to };
}

/**
 * The ledger counts per hour and a range takes the hours that start in it: when the range does
 * not begin on the hour, say which hours were counted (as the CLI's heading does).
 */
function countedHours(from: number, to: number): string {
  const first = Math.ceil(from / HOUR_MS) * HOUR_MS;
  if (first === from) return '';
  const end = Math.ceil(to / HOUR_MS) * HOUR_MS;
  return ` (counted by the hour: ${new Date(first).toLocaleString()} – ${new Date(end).toLocaleString()})`;
}

async function load(): Promise<void> {
  const ticket = ++loading;
  window.clearTimeout(timer);
  const { from, to } = range();
  const query = new URLSearchParams({ from: String(from), to: String(to), tz: timeZone });
  if (channelSelect.value !== '') query.set('channel', channelSelect.value);
  statusLine.dataset.state = 'loading';
  try {
    const response = await fetch(`api/report?${query}`, { credentials: 'same-origin', cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) throw new Error(body?.error ?? `HTTP ${response.status}`);
    if (ticket !== loading) return; // a newer request was started meanwhile
    lastData = body as Data;
    render(lastData);
    statusLine.textContent = `Updated ${new Date().toLocaleTimeString()} · ${new Date(from).toLocaleString()} – ${new Date(to).toLocaleString()}${countedHours(from, to)} · by ${lastData.step}`;
    statusLine.dataset.state = 'ok';
    document.body.dataset.from = String(lastData.from);
    document.body.dataset.to = String(lastData.to);
  } catch (error) {
    if (ticket !== loading) return;
    statusLine.textContent = `Could not load the report: ${(error as Error).message}`;
    statusLine.dataset.state = 'error';
  }
  const seconds = Number(refreshSelect.value);
  if (seconds > 0) timer = window.setTimeout(load, seconds * 1000);
}

function render(data: Data): void {
  for (const row of data.totals) knownChannels.add(row.channel);
  syncChannelOptions();
  renderTiles(data.totals);
  renderTable(data.totals);
  renderCharts(data);
}

function syncChannelOptions(): void {
  const present = new Set([...channelSelect.options].map((o) => o.value));
  for (const channel of [...knownChannels].sort()) {
    if (!present.has(channel)) channelSelect.add(new Option(channel, channel));
  }
}

function setFigure(el: HTMLElement, value: number | null, text: string): void {
  el.textContent = text;
  if (value === null) delete el.dataset.value;
  else el.dataset.value = String(value);
}

interface Sums {
  sessions: number;
  ended: number;
  handoff: number;
  interactions: number;
  active: number;
  sent: number;
  answered: number;
}
function sum(rows: Row[]): Sums {
  const s: Sums = { sessions: 0, ended: 0, handoff: 0, interactions: 0, active: 0, sent: 0, answered: 0 };
  for (const r of rows) {
    s.sessions += r.sessions;
    s.ended += r.endedTotal;
    s.handoff += r.ended.handoff ?? 0;
    s.interactions += r.interactions;
    s.active += r.active;
    s.sent += r.surveys.sent;
    s.answered += r.surveys.answered;
  }
  return s;
}

/** A mean score of several channels cannot be derived from their means: only one channel's is shown. */
function singleMeanScore(rows: Row[]): number | null | undefined {
  const scored = rows.filter((r) => r.surveys.meanScore !== null);
  if (scored.length === 0) return null;
  return scored.length === 1 ? scored[0]!.surveys.meanScore : undefined;
}

function renderTiles(rows: Row[]): void {
  const s = sum(rows);
  const tile = (id: string) => byId(`tile-${id}`);
  setFigure(tile('active'), s.active, integer(s.active));
  setFigure(tile('sessions'), s.sessions, integer(s.sessions));
  setFigure(tile('ended'), s.ended, integer(s.ended));
  setFigure(tile('interactions'), s.interactions, integer(s.interactions));
  const handoff = percent(s.handoff, s.ended);
  setFigure(tile('handoffRate'), handoff, showPercent(handoff));
  const containment = handoff === null ? null : 1 - handoff;
  setFigure(tile('containmentRate'), containment, showPercent(containment));
  const response = percent(s.answered, s.sent);
  setFigure(tile('surveyResponseRate'), response, showPercent(response));
  const score = singleMeanScore(rows);
  setFigure(tile('meanScore'), score ?? null, score === undefined ? 'per channel' : showCount(score));
}

function cell(value: number | null, text: string): HTMLTableCellElement {
  const td = document.createElement('td');
  setFigure(td, value, text);
  return td;
}

function rowCells(tr: HTMLTableRowElement, r: Row): void {
  const handoff = percent(r.ended.handoff ?? 0, r.endedTotal);
  tr.append(
    cell(r.sessions, integer(r.sessions)),
    cell(r.endedTotal, integer(r.endedTotal)),
    cell(r.interactions, integer(r.interactions)),
    cell(handoff, showPercent(handoff)),
    cell(handoff === null ? null : 1 - handoff, showPercent(handoff === null ? null : 1 - handoff)),
    cell(r.durationMs.p50, showDuration(r.durationMs.p50)),
    cell(r.durationMs.p90, showDuration(r.durationMs.p90)),
    cell(r.interactionsPerSession.p50, showCount(r.interactionsPerSession.p50)),
    cell(r.interactionsPerSession.p90, showCount(r.interactionsPerSession.p90)),
    cell(
      percent(r.surveys.answered, r.surveys.sent),
      `${integer(r.surveys.answered)} / ${integer(r.surveys.sent)}`,
    ),
    cell(r.surveys.meanScore, showCount(r.surveys.meanScore)),
    cell(r.active, integer(r.active)),
  );
}

function renderTable(rows: Row[]): void {
  const table = byId<HTMLTableElement>('channels');
  const body = table.tBodies[0]!;
  body.replaceChildren();
  for (const r of [...rows].sort((a, b) => b.sessions - a.sessions || a.channel.localeCompare(b.channel))) {
    const tr = body.insertRow();
    tr.dataset.channel = r.channel;
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = r.channel;
    tr.append(th);
    rowCells(tr, r);
  }
  const foot = table.tFoot!;
  foot.replaceChildren();
  if (rows.length > 1) {
    const s = sum(rows);
    const tr = foot.insertRow();
    tr.dataset.channel = '*';
    const handoff = percent(s.handoff, s.ended);
    const dash = () => cell(null, '–');
    const th = document.createElement('td');
    th.textContent = 'all channels';
    tr.append(
      th,
      cell(s.sessions, integer(s.sessions)),
      cell(s.ended, integer(s.ended)),
      cell(s.interactions, integer(s.interactions)),
      cell(handoff, showPercent(handoff)),
      cell(handoff === null ? null : 1 - handoff, showPercent(handoff === null ? null : 1 - handoff)),
      dash(),
      dash(),
      dash(),
      dash(),
      cell(percent(s.answered, s.sent), `${integer(s.answered)} / ${integer(s.sent)}`),
      dash(),
      cell(s.active, integer(s.active)),
    );
  }
}

function renderCharts(data: Data): void {
  for (const chart of charts.splice(0)) chart.destroy();
  const draw = (id: string, xs: number[], lines: Line[]) => drawChart(id, xs, lines, data);
  // By hour, every ledger hour of the range is on the axis, so a quiet hour shows as 0 rather
  // than a line drawn across it; by day, the days that have data.
  const periods = new Set(data.series.map((r) => r.period?.from ?? data.from));
  if (data.step === 'hour') {
    for (let hour = Math.ceil(data.from / HOUR_MS) * HOUR_MS; hour < data.to; hour += HOUR_MS)
      periods.add(hour);
  }
  const xs = [...periods].sort((a, b) => a - b);
  const channels = [...new Set(data.series.map((r) => r.channel))].sort();
  const at = new Map<string, Row>();
  for (const r of data.series) at.set(`${r.channel}@${r.period?.from ?? data.from}`, r);
  const rowOf = (channel: string, x: number) => at.get(`${channel}@${x}`);
  const perPeriod = (pick: (rows: Row[]) => number | null) =>
    xs.map((x) => pick(channels.map((c) => rowOf(c, x)).filter((r): r is Row => r !== undefined)));
  const colorOf = (i: number) => PALETTE[i % PALETTE.length]!;
  const bars = uPlot.paths.bars?.({ size: [0.7, 48] });

  draw(
    'chart-sessions',
    xs,
    channels.map((c, i) => ({
      series: { label: c, stroke: colorOf(i), width: 2 },
      values: xs.map((x) => rowOf(c, x)?.sessions ?? 0),
    })),
  );

  // Stacked by over-painting: the tallest (all reasons) bar first, each next one a reason less.
  const reasons = REASONS.filter((reason) => data.series.some((r) => (r.ended[reason] ?? 0) > 0));
  const raw = reasons.map((reason) =>
    perPeriod((rows) => rows.reduce((n, r) => n + (r.ended[reason] ?? 0), 0)),
  );
  const stacked = reasons.map((_, i) =>
    xs.map((_x, j) => raw.slice(0, i + 1).reduce((n, v) => n + (v[j] ?? 0), 0)),
  );
  draw(
    'chart-ends',
    xs,
    reasons
      .map((reason, i) => ({
        series: {
          label: reason,
          stroke: REASON_COLORS[reason],
          fill: REASON_COLORS[reason],
          width: 0,
          paths: bars,
          points: { show: false },
          value: (_u: unknown, _v: number | null, _s: number, idx: number | null) =>
            idx === null ? '–' : String(raw[i]![idx] ?? 0),
        },
        values: stacked[i]!,
      }))
      .reverse(),
  );

  const quantileLines = (pick: (r: Row) => Percentiles, scale: number) =>
    channels.flatMap((c, i) => [
      {
        series: { label: `${c} p50`, stroke: colorOf(i), width: 2 },
        values: xs.map((x) => div(rowOf(c, x) && pick(rowOf(c, x)!).p50, scale)),
      },
      {
        series: { label: `${c} p90`, stroke: colorOf(i), width: 1.5, dash: [6, 4] },
        values: xs.map((x) => div(rowOf(c, x) && pick(rowOf(c, x)!).p90, scale)),
      },
    ]);
  // The unit follows the figures: seconds for chats that last seconds, hours for 24 h channels.
  const longest = Math.max(0, ...data.series.map((r) => r.durationMs.p90 ?? 0));
  const [unit, perUnit] =
    longest < 120_000 ? ['seconds', 1000] : longest < 7_200_000 ? ['minutes', 60_000] : ['hours', 3_600_000];
  byId('duration-unit').textContent = unit as string;
  draw(
    'chart-duration',
    xs,
    quantileLines((r) => r.durationMs, perUnit as number),
  );
  draw(
    'chart-interactions',
    xs,
    quantileLines((r) => r.interactionsPerSession, 1),
  );

  const rate = (part: (s: Sums) => number, whole: (s: Sums) => number) =>
    perPeriod((rows) => {
      const s = sum(rows);
      const p = percent(part(s), whole(s));
      return p === null ? null : p * 100;
    });
  draw('chart-rates', xs, [
    {
      series: { label: 'handoff', stroke: REASON_COLORS.handoff, width: 2 },
      values: rate(
        (s) => s.handoff,
        (s) => s.ended,
      ),
    },
    {
      series: { label: 'containment', stroke: '#0969da', width: 2 },
      values: rate(
        (s) => s.ended - s.handoff,
        (s) => s.ended,
      ),
    },
    {
      series: { label: 'survey response', stroke: REASON_COLORS.survey, width: 2 },
      values: rate(
        (s) => s.answered,
        (s) => s.sent,
      ),
    },
  ]);
}

function div(value: number | null | undefined, by: number): number | null {
  return value === null || value === undefined ? null : value / by;
}

interface Line {
  series: ChartSeries;
  values: Array<number | null>;
}

function drawChart(id: string, xs: number[], lines: Line[], data: Data): void {
  const target = byId(id);
  target.replaceChildren();
  if (
    xs.length === 0 ||
    lines.length === 0 ||
    lines.every((l) => l.values.every((v) => v === null || v === 0))
  ) {
    const empty = document.createElement('div');
    empty.className = 'empty';
    empty.textContent = 'Nothing in this range';
    target.append(empty);
    return;
  }
  const width = Math.max(300, target.clientWidth || 460);
  const options = {
    width,
    height: 220,
    // The whole asked range on the x axis, however few periods have data.
    scales: { x: { time: true, range: (): [number, number] => [data.from / 1000, data.to / 1000] } },
    series: [{}, ...lines.map((l) => ({ spanGaps: false, ...l.series }))],
    axes: [{}, { size: 50 }],
    legend: { show: true },
  };
  charts.push(new uPlot(options, [xs.map((x) => x / 1000), ...lines.map((l) => l.values)], target));
}

rangeSelect.addEventListener('change', () => {
  if (rangeSelect.value === 'custom' && fromInput.value === '') {
    const { from, to } = { to: Date.now(), from: Date.now() - 86_400_000 };
    fromInput.value = localInput(from);
    toInput.value = localInput(to);
  }
  void load();
});
for (const input of [fromInput, toInput]) {
  input.addEventListener('change', () => {
    rangeSelect.value = 'custom';
  });
}
channelSelect.addEventListener('change', () => void load());
refreshSelect.addEventListener('change', () => void load());
form.addEventListener('submit', (event) => {
  event.preventDefault();
  void load();
});
let resizing: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizing);
  resizing = window.setTimeout(() => lastData && renderCharts(lastData), 150);
});
void load();
