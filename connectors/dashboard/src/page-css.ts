/** The page's stylesheet, served as `dashboard.css` (a file, so the CSP needs no inline styles). */
export const DASHBOARD_CSS = `
:root { color-scheme: light; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 24px; padding: 12px 20px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 18px; margin: 0; }
form { display: flex; flex-wrap: wrap; align-items: center; gap: 8px 14px; }
label { color: var(--muted); }
select, input, button { font: inherit; padding: 3px 6px; }
#status { margin: 0; color: var(--muted); font-size: 12px; }
#status[data-state="error"] { color: #cf222e; }
main { padding: 16px 20px; display: grid; gap: 16px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 12px; }
.tile { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.tile dt { color: var(--muted); font-size: 12px; }
.tile dd { margin: 4px 0 0; font-size: 22px; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(460px, 1fr)); gap: 16px; }
figure { margin: 0; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 10px; min-width: 0; }
figcaption { font-weight: 600; margin-bottom: 6px; }
.empty { color: var(--muted); padding: 40px 0; text-align: center; }
table { border-collapse: collapse; background: #fff; border: 1px solid var(--line); width: 100%; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--bg); font-weight: 600; }
tfoot td { font-weight: 600; }
.table-wrap { overflow-x: auto; }
th { white-space: normal; }
.note { color: var(--muted); font-size: 12px; }
`;
