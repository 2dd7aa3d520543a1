/** The one HTML page. Every figure is filled in by dashboard.js from `api/report`. */
export function pageHtml(title: string, refreshSeconds: number): string {
  const t = escapeHtml(title);
  const refreshChoices = [0, 10, 30, 60, 300];
  if (!refreshChoices.includes(refreshSeconds)) refreshChoices.push(refreshSeconds);
  const refreshOptions = refreshChoices
    .sort((a, b) => a - b)
    .map(
      (s) =>
        `<option value="${s}"${s === refreshSeconds ? ' selected' : ''}>${s === 0 ? 'off' : s < 60 ? `${s} s` : `${s / 60} min`}</option>`,
    )
    .join('');
  const tile = (id: string, label: string) =>
    `<div class="tile"><dt>${label}</dt><dd id="tile-${id}" data-figure="${id}">–</dd></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="uPlot.min.css"><link rel="stylesheet" href="dashboard.css">
<script src="uPlot.min.js" defer></script><script src="dashboard.js" defer></script>
</head><body>
<header><h1>${t}</h1>
<form id="controls">
<label>Range <select id="range" name="range">
<option value="3600000">last hour</option><option value="21600000">last 6 hours</option>
<option value="86400000" selected>last 24 hours</option><option value="604800000">last 7 days</option>
<option value="2592000000">last 30 days</option><option value="custom">custom</option></select></label>
<label>From <input type="datetime-local" id="from" name="from"></label>
<label>To <input type="datetime-local" id="to" name="to"></label>
<label>Channel <select id="channel" name="channel"><option value="">all</option></select></label>
<label>Auto refresh <select id="refresh" name="refresh">${refreshOptions}</select></label>
<button type="submit">Show</button>
</form>
<p id="status" role="status" aria-live="polite"></p>
</header>
<main>
<dl class="tiles">
${tile('active', 'Active now')}${tile('sessions', 'Sessions started')}${tile('ended', 'Sessions ended')}${tile('interactions', 'Interactions')}${tile('handoffRate', 'Handoff rate')}${tile('containmentRate', 'Containment rate')}${tile('surveyResponseRate', 'Survey response rate')}${tile('meanScore', 'Mean survey score')}
</dl>
<div class="charts">
<figure><figcaption>Sessions started per channel</figcaption><div id="chart-sessions"></div></figure>
<figure><figcaption>Sessions ended, by reason (stacked)</figcaption><div id="chart-ends"></div></figure>
<figure><figcaption>Session duration p50 / p90 (<span id="duration-unit">minutes</span>)</figcaption><div id="chart-duration"></div></figure>
<figure><figcaption>Interactions per session p50 / p90</figcaption><div id="chart-interactions"></div></figure>
<figure><figcaption>Handoff, containment and survey response rate (%)</figcaption><div id="chart-rates"></div></figure>
</div>
<div class="table-wrap"><table id="channels"><caption class="note">Per channel over the range. Percentiles and mean scores are per channel: they cannot be added up across channels.</caption>
<thead><tr><th scope="col">Channel</th><th scope="col">Sessions</th><th scope="col">Ended</th><th scope="col">Interactions</th><th scope="col">Handoff</th><th scope="col">Containment</th><th scope="col">Duration p50</th><th scope="col">p90</th><th scope="col">Interactions per session p50</th><th scope="col">p90</th><th scope="col">Surveys answered / sent</th><th scope="col">Mean score</th><th scope="col">Active now</th></tr></thead>
<tbody></tbody><tfoot></tfoot></table></div>
</main>
</body></html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}
