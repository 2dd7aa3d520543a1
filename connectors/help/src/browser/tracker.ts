/**
 * botsession help-center tracker: a classic script (no module, no framework) that a help center
 * loads with `<script src="/botsession/tracker.js" defer></script>`. It reports article opens and
 * searches of this tab to the server handler, which calls the session tracker. It holds no rule:
 * when a session starts or ends is decided by core; the page only decides which user actions are
 * reported, and when.
 *
 * Configured by the script tag's data attributes:
 *   data-endpoint           events URL (default: `events` beside the script's own URL)
 *   data-article-selector   marks an article page (default `[data-botsession-article]`)
 *   data-search-selector    search inputs, or a container of them (default `[data-botsession-search]`)
 *   data-results-selector   search results: a link opened there is `via: search` (default `[data-botsession-results]`)
 *   data-suggested-selector suggested articles (default `[data-botsession-suggested]`)
 *   data-search-idle-ms     typing pause that makes a query a search (default 800)
 */
(() => {
  type Via = 'click' | 'search' | 'suggested' | 'direct' | 'new-tab' | 'reload' | 'history' | 'api';
  // `id`: this page's own id for the event, the same each time it is sent, so the server
  // counts an event sent twice (a retry after a lost answer) once.
  type HelpEvent = { type: 'search'; id: string } | { type: 'open'; article: string; via: Via; id: string };

  interface Config {
    endpoint: string;
    articleSelector: string;
    searchSelector: string;
    resultsSelector: string;
    suggestedSelector: string;
    searchIdleMs: number;
  }

  /** What the page knows of its session: the server's deadline and the server-minus-page clock offset. */
  interface KnownSession {
    sessionId: string;
    expiresAt: number;
    clockOffsetMs: number;
  }

  /** How the next page load in this tab was reached, written just before the navigation. */
  interface Intent {
    via: Via;
    href?: string;
    at: number;
  }

  interface Answer {
    sessionId?: string | null;
    isNew?: boolean;
    interactions?: number;
    expiresAt?: number;
    now?: number;
    held?: boolean;
  }

  const KEY_PREFIX = 'botsession.';
  const NAME_PREFIX = 'botsession:';
  // An intent older than this belongs to a navigation that did not happen.
  const INTENT_TTL_MS = 10_000;

  const config = readConfig(document.currentScript as HTMLScriptElement | null);
  const store = openStore();
  const tab = resolveTab();
  const typing = new Map<HTMLInputElement | HTMLTextAreaElement, number>();
  const committed = new WeakMap<Element, string>();

  function readConfig(script: HTMLScriptElement | null): Config {
    const data = script?.dataset ?? {};
    const base = script?.src ? script.src : `${location.origin}/botsession/tracker.js`;
    const idle = Number(data.searchIdleMs);
    return {
      endpoint: new URL(data.endpoint ?? 'events', base).href,
      articleSelector: data.articleSelector ?? '[data-botsession-article]',
      searchSelector: data.searchSelector ?? '[data-botsession-search]',
      resultsSelector: data.resultsSelector ?? '[data-botsession-results]',
      suggestedSelector: data.suggestedSelector ?? '[data-botsession-suggested]',
      searchIdleMs: Number.isFinite(idle) && idle > 0 ? idle : 800,
    };
  }

  /** sessionStorage under our prefix; a page without storage (privacy mode) falls back to memory. */
  function openStore() {
    const memory = new Map<string, string>();
    let storage: Storage | undefined;
    try {
      storage = window.sessionStorage;
      storage.setItem(`${KEY_PREFIX}probe`, '1');
      storage.removeItem(`${KEY_PREFIX}probe`);
    } catch {
      storage = undefined;
    }
    return {
      get(key: string): string | undefined {
        return (storage ? storage.getItem(KEY_PREFIX + key) : memory.get(key)) ?? undefined;
      },
      set(key: string, value: string): void {
        if (storage) storage.setItem(KEY_PREFIX + key, value);
        else memory.set(key, value);
      },
      remove(key: string): void {
        if (storage) storage.removeItem(KEY_PREFIX + key);
        else memory.delete(key);
      },
      getJson<T>(key: string): T | undefined {
        const raw = this.get(key);
        if (raw === undefined) return undefined;
        try {
          return JSON.parse(raw) as T;
        } catch {
          return undefined;
        }
      },
      clear(): void {
        for (const key of ['tab', 'pending', 'session', 'intent']) this.remove(key);
      },
    };
  }

  /**
   * The per-tab id is the conversation id. sessionStorage alone is not enough: Chromium copies it
   * into a tab opened with window.open or target=_blank from this page, so that tab would share our
   * session. window.name is never copied to a new tab and survives same-site navigations in this
   * tab, so the stored id counts only when window.name carries the same id.
   */
  function resolveTab(): { id: string; fresh: boolean } {
    const stored = store.get('tab');
    const name = window.name;
    const named = name.startsWith(NAME_PREFIX) ? name.slice(NAME_PREFIX.length) : undefined;
    // A page that uses window.name for itself keeps it; then a tab opened by script is recognised
    // by its opener on its first history entry.
    const ownsName = name === '' || named !== undefined;
    const sameTab =
      stored !== undefined && (ownsName ? named === stored : !(window.opener && history.length === 1));
    if (sameTab) return { id: stored, fresh: false };
    const id = newId();
    store.clear();
    store.set('tab', id);
    if (ownsName) window.name = NAME_PREFIX + id;
    return { id, fresh: true };
  }

  /** 128 random bits, base64url: getRandomValues works on plain http too, unlike randomUUID. */
  function newId(): string {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    let binary = '';
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  /** Events not counted yet: held searches, and events whose request failed (kept with their ids). */
  function pending(): HelpEvent[] {
    const saved = store.getJson<unknown>('pending');
    // An older tracker kept a count of searches: they become searches with ids of their own.
    if (typeof saved === 'number') return Array.from({ length: saved }, () => search());
    return Array.isArray(saved) ? (saved as HelpEvent[]) : [];
  }

  function addPending(events: HelpEvent[]): void {
    // Bounded like the server's batch (50 events): the oldest go first.
    if (events.length > 0) store.set('pending', JSON.stringify([...pending(), ...events].slice(-40)));
  }

  function takePending(): HelpEvent[] {
    const events = pending();
    store.remove('pending');
    return events;
  }

  function search(): HelpEvent {
    return { type: 'search', id: newId() };
  }

  /** A guess only, to avoid useless requests: the server checks again before counting a search. */
  function sessionActive(): boolean {
    const known = store.getJson<KnownSession>('session');
    return known !== undefined && Date.now() + known.clockOffsetMs < known.expiresAt;
  }

  function send(events: HelpEvent[]): void {
    fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tabId: tab.id, events }),
      credentials: 'same-origin',
      // The request outlives a navigation that starts right after it.
      keepalive: true,
    })
      .then((response) => {
        if (response.ok) return response.json() as Promise<Answer>;
        // Refused for good (400, 403, 413): sending the same events again would be refused again.
        if (response.status !== 429 && response.status < 500) return undefined;
        return Promise.reject(response);
      })
      .then((answer) => {
        if (answer === undefined) return;
        if (answer.held) {
          // No session was active after all: the searches wait for an article to be opened.
          // They were counted nowhere, so they get new ids (the server remembers the old ones).
          store.remove('session');
          addPending(events.filter((event) => event.type === 'search').map(() => search()));
          return;
        }
        if (typeof answer.sessionId === 'string') remember(answer);
        document.dispatchEvent(new CustomEvent('botsession:stamp', { detail: answer }));
      })
      // No answer (network, 5xx, 429): the events may or may not have arrived. They wait, with
      // their ids, for the next request, where the server counts each of them once.
      .catch(() => addPending(events));
  }

  function remember(answer: Answer): void {
    const known: KnownSession = {
      sessionId: answer.sessionId as string,
      expiresAt: Number(answer.expiresAt),
      clockOffsetMs: Number(answer.now) - Date.now(),
    };
    store.set('session', JSON.stringify(known));
  }

  /** Sends held searches when a session is active in this tab; otherwise they keep waiting. */
  function flush(useBeacon = false): void {
    if (pending().length === 0 || !sessionActive()) return;
    const events = takePending();
    if (useBeacon) {
      const body = JSON.stringify({ tabId: tab.id, events });
      if (!navigator.sendBeacon(config.endpoint, body)) addPending(events);
      return;
    }
    send(events);
  }

  function reportOpen(article: string, via: Via): void {
    send([...takePending(), { type: 'open', article, via, id: newId() }]);
  }

  function searchInputOf(target: EventTarget | null): HTMLInputElement | HTMLTextAreaElement | undefined {
    if (!(target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement)) return undefined;
    return target.closest(config.searchSelector) ? target : undefined;
  }

  /** A query becomes a search once typing pauses, on Enter, or when a result is chosen. */
  function commitSearch(input: HTMLInputElement | HTMLTextAreaElement, sendNow = true): void {
    window.clearTimeout(typing.get(input));
    typing.delete(input);
    const query = input.value.trim();
    if (query === '' || committed.get(input) === query) return;
    committed.set(input, query);
    addPending([search()]);
    if (sendNow) flush();
  }

  function commitTyping(sendNow = true): void {
    for (const input of [...typing.keys()]) commitSearch(input, sendNow);
  }

  function viaOf(link: Element): Via {
    if (link.closest(config.resultsSelector)) return 'search';
    if (link.closest(config.suggestedSelector)) return 'suggested';
    return 'click';
  }

  function samePage(href: string): boolean {
    const url = new URL(href, location.href);
    return (
      url.origin === location.origin && url.pathname === location.pathname && url.search === location.search
    );
  }

  /** How this page load was reached: the intent written before navigating, else the navigation type. */
  function arrivalVia(): Via {
    const navigation = performance.getEntriesByType('navigation')[0] as
      | PerformanceNavigationTiming
      | undefined;
    const intent = store.getJson<Intent>('intent');
    store.remove('intent');
    if (navigation?.type === 'reload') return 'reload';
    if (navigation?.type === 'back_forward') return 'history';
    if (intent && Date.now() - intent.at < INTENT_TTL_MS && (!intent.href || samePage(intent.href))) {
      return intent.via;
    }
    if (tab.fresh && document.referrer !== '' && new URL(document.referrer).origin === location.origin) {
      return 'new-tab';
    }
    return 'direct';
  }

  function articleOnPage(): string | undefined {
    const marker = document.querySelector(config.articleSelector);
    if (!marker) return undefined;
    return marker.getAttribute('data-botsession-article') || location.pathname;
  }

  function start(): void {
    const article = articleOnPage();
    if (article !== undefined) reportOpen(article, arrivalVia());
    else flush();
  }

  document.addEventListener(
    'input',
    (event) => {
      const input = searchInputOf(event.target);
      if (!input) return;
      window.clearTimeout(typing.get(input));
      typing.set(
        input,
        window.setTimeout(() => commitSearch(input), config.searchIdleMs),
      );
    },
    true,
  );

  // Capture phase: runs before the page's own keyboard handling navigates to the chosen result.
  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Enter' || event.isComposing) return;
      const input = searchInputOf(event.target);
      if (!input) return;
      commitSearch(input);
      const opensHere = !(event.ctrlKey || event.metaKey || event.shiftKey);
      if (opensHere) store.set('intent', JSON.stringify({ via: 'search', at: Date.now() } satisfies Intent));
    },
    true,
  );

  document.addEventListener(
    'click',
    (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (!(link instanceof HTMLAnchorElement)) return;
      const via = viaOf(link);
      if (via === 'search') commitTyping();
      // A modified click or another target opens a new tab, which reports its own arrival.
      const elsewhere =
        event.button !== 0 ||
        event.ctrlKey ||
        event.metaKey ||
        event.shiftKey ||
        (link.target !== '' && link.target !== '_self');
      if (elsewhere) return;
      store.set('intent', JSON.stringify({ via, href: link.href, at: Date.now() } satisfies Intent));
    },
    true,
  );

  // Middle clicks never fire `click`; a search result opened that way still turns the query into a search.
  document.addEventListener(
    'auxclick',
    (event) => {
      const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
      if (link && viaOf(link) === 'search') commitTyping();
    },
    true,
  );

  window.addEventListener('pagehide', () => {
    // fetch may not finish while the page goes away; a beacon does.
    commitTyping(false);
    flush(true);
  });

  // A page restored from the back/forward cache runs no script again: its article is opened again.
  window.addEventListener('pageshow', (event) => {
    const article = event.persisted ? articleOnPage() : undefined;
    if (article !== undefined) reportOpen(article, 'history');
  });

  (window as unknown as { botsession: unknown }).botsession = {
    tabId: tab.id,
    /** For articles shown without a page load (single-page help centers). */
    open(article: string): void {
      reportOpen(article, 'api');
    },
    /** A search made outside the marked inputs. */
    search(): void {
      addPending([search()]);
      flush();
    },
    session(): KnownSession | undefined {
      return store.getJson<KnownSession>('session');
    },
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
