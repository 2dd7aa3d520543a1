import { ARTICLES, type Article, articleBySlug } from './articles.js';

/**
 * HTML of the example help center. The only botsession parts are the script tag and three data
 * attributes: `data-botsession-article` on an article, `data-botsession-search` on the search bar,
 * `data-botsession-results` on its results, and `data-botsession-suggested` on suggestions.
 */

const STYLE = `
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2933; background: #f5f7fa; }
  header { background: #334e68; color: #fff; padding: 24px 32px; }
  header > a { color: #fff; text-decoration: none; font-weight: 600; font-size: 20px; }
  main { max-width: 760px; margin: 0 auto; padding: 24px 32px; }
  .search { position: relative; margin-top: 12px; }
  .search input { width: 100%; box-sizing: border-box; font-size: 17px; padding: 10px 14px; border: 0; border-radius: 6px; }
  .search ul { position: absolute; left: 0; right: 0; margin: 4px 0 0; padding: 4px 0; list-style: none;
    background: #fff; border-radius: 6px; box-shadow: 0 6px 18px rgba(0,0,0,.18); z-index: 1; }
  .search ul:empty { display: none; }
  .search li a { display: block; padding: 8px 14px; color: #1f2933; text-decoration: none; }
  .search li[aria-selected="true"] a { background: #d9e8f6; }
  .cards a { display: block; background: #fff; border-radius: 6px; padding: 14px 18px; margin: 10px 0;
    color: #243b53; text-decoration: none; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .cards small { display: block; color: #627d98; }
  article { background: #fff; border-radius: 6px; padding: 8px 24px 16px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  aside h2 { font-size: 16px; color: #486581; margin-top: 28px; }
`;

// The site's own search box: filters titles as you type, ArrowUp/ArrowDown move, Enter opens.
const SEARCH_SCRIPT = `
(() => {
  const articles = ${JSON.stringify(ARTICLES.map(({ slug, title }) => ({ slug, title })))};
  const input = document.getElementById('search');
  const list = document.getElementById('results');
  let active = -1;
  function render() {
    const query = input.value.trim().toLowerCase();
    const found = query === '' ? [] : articles.filter((a) => a.title.toLowerCase().includes(query));
    active = -1;
    list.innerHTML = found.map((a, i) =>
      '<li role="option" id="result-' + i + '" aria-selected="false"><a href="/articles/' + a.slug + '">' + a.title + '</a></li>'
    ).join('');
  }
  function select(index) {
    const options = list.querySelectorAll('li');
    if (options.length === 0) return;
    active = (index + options.length) % options.length;
    options.forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    input.setAttribute('aria-activedescendant', 'result-' + active);
  }
  input.addEventListener('input', render);
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); select(active + 1); }
    else if (event.key === 'ArrowUp') { event.preventDefault(); select(active - 1); }
    else if (event.key === 'Escape') { input.value = ''; render(); }
    else if (event.key === 'Enter') {
      event.preventDefault();
      const link = list.querySelectorAll('li a')[active];
      if (link) location.assign(link.href);
    }
  });
})();
`;

function layout(title: string, content: string, trackerSrc: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title} · Acme Help Center</title>
<style>${STYLE}</style>
<script src="${trackerSrc}" defer></script>
</head>
<body>
<header>
  <a href="/">Acme Help Center</a>
  <div class="search" role="search" data-botsession-search>
    <input id="search" type="search" placeholder="Search the help center" autocomplete="off"
      role="combobox" aria-expanded="true" aria-controls="results" aria-label="Search the help center">
    <ul id="results" role="listbox" data-botsession-results></ul>
  </div>
</header>
<main>${content}</main>
<script>${SEARCH_SCRIPT}</script>
</body>
</html>`;
}

function card(article: Article): string {
  return `<a href="/articles/${article.slug}">${article.title}<small>${article.summary}</small></a>`;
}

export function homePage(trackerSrc: string): string {
  return layout(
    'Home',
    `<h1>How can we help?</h1><nav class="cards" aria-label="Popular articles">${ARTICLES.map(card).join('')}</nav>`,
    trackerSrc,
  );
}

export function articlePage(article: Article, trackerSrc: string): string {
  const suggested = article.suggested
    .map(articleBySlug)
    .filter((found): found is Article => found !== undefined);
  return layout(
    article.title,
    `<article data-botsession-article="${article.slug}">
      <h1>${article.title}</h1>${article.body.map((p) => `<p>${p}</p>`).join('')}
    </article>
    <aside data-botsession-suggested><h2>Suggested articles</h2><nav class="cards">${suggested.map(card).join('')}</nav></aside>`,
    trackerSrc,
  );
}
