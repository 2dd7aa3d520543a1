/*
 * botsession web chat widget: one <script src=".../widget.js" defer> puts a chat window on the
 * page. A classic script (no imports) in one IIFE, no framework, so it stays a few KB gzipped.
 * The API base is where the script itself was loaded from, so it needs no configuration.
 * Optional attributes on the script tag: data-title (window title), data-storage="local" (keep
 * the conversation across tabs instead of per tab).
 */
(() => {
  interface Line {
    from: 'user' | 'bot';
    text: string;
    sessionId?: string | null;
  }
  interface Saved {
    token?: string;
    open?: boolean;
    lines: Line[];
    sessionId?: string | null;
  }
  interface Reply {
    text: string;
    sessionId: string | null;
  }

  const script = document.currentScript as HTMLScriptElement | null;
  if (script === null) return;
  const base = script.src.replace(/\/widget\.js(?:[?#].*)?$/, '');
  const title = script.dataset.title ?? 'Chat';
  const store = script.dataset.storage === 'local' ? localStorage : sessionStorage;
  const key = `botsession:web:${base}`;
  const MAX_LINES = 100;

  const load = (): Saved => {
    try {
      const saved = JSON.parse(store.getItem(key) ?? 'null') as Saved | null;
      if (saved !== null && Array.isArray(saved.lines)) return saved;
    } catch {
      // Unreadable state (old format, storage blocked): start over.
    }
    return { lines: [] };
  };
  let state = load();
  const save = () => {
    state.lines = state.lines.slice(-MAX_LINES);
    try {
      store.setItem(key, JSON.stringify(state));
    } catch {
      // Storage full or blocked: the chat still works, a reload just forgets it.
    }
  };

  const el = <K extends keyof HTMLElementTagNameMap>(
    tag: K,
    attrs: Record<string, string> = {},
    text?: string,
  ): HTMLElementTagNameMap[K] => {
    const node = document.createElement(tag);
    for (const name in attrs) node.setAttribute(name, attrs[name]!);
    if (text !== undefined) node.textContent = text;
    return node;
  };

  // A shadow root keeps the page's CSS out of the widget and the widget's CSS out of the page.
  const host = el('div', { 'data-botsession': 'web' });
  const root = host.attachShadow({ mode: 'open' });
  const style = el('style');
  style.textContent = `
:host{all:initial;position:fixed;right:20px;bottom:20px;z-index:2147483000;font:15px/1.4 system-ui,sans-serif;color:#1b1b1f}
button{font:inherit;cursor:pointer;border:0;border-radius:8px}
:focus-visible{outline:3px solid #f5a623;outline-offset:2px}
.launch{background:#2d4ee0;color:#fff;padding:12px 18px;border-radius:24px;box-shadow:0 4px 14px #0004}
.box{display:flex;flex-direction:column;width:min(340px,90vw);height:min(440px,70vh);background:#fff;border-radius:12px;box-shadow:0 8px 30px #0005;overflow:hidden}
.box[hidden]{display:none}
header{display:flex;align-items:center;justify-content:space-between;background:#2d4ee0;color:#fff;padding:8px 8px 8px 14px}
h2{font-size:16px;margin:0}
.x{background:none;color:#fff;font-size:22px;width:36px;height:36px}
.log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}
.log p{margin:0;padding:8px 12px;border-radius:12px;max-width:80%;white-space:pre-wrap;overflow-wrap:anywhere}
.user{align-self:flex-end;background:#2d4ee0;color:#fff}
.bot{align-self:flex-start;background:#eef0f6}
.err{align-self:center;color:#a00;font-size:13px}
form{display:flex;gap:6px;padding:8px;border-top:1px solid #ddd}
label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
input{flex:1;font:inherit;padding:8px 10px;border:1px solid #888;border-radius:8px;min-width:0}
.send{background:#2d4ee0;color:#fff;padding:0 14px}`;
  const launcher = el(
    'button',
    { class: 'launch', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'bs-box' },
    title,
  );
  const box = el('section', { class: 'box', id: 'bs-box', role: 'dialog', 'aria-labelledby': 'bs-title' });
  box.hidden = true;
  const header = el('header');
  const close = el('button', { class: 'x', type: 'button', 'aria-label': 'Close chat' }, '×');
  header.append(el('h2', { id: 'bs-title' }, title), close);
  const log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages' });
  const form = el('form');
  const input = el('input', { id: 'bs-input', type: 'text', autocomplete: 'off', enterkeyhint: 'send' });
  form.append(
    el('label', { for: 'bs-input' }, 'Your message'),
    input,
    el('button', { class: 'send', type: 'submit' }, 'Send'),
  );
  box.append(header, log, form);
  root.append(style, launcher, box);

  const stamp = (sessionId: string | null | undefined) => {
    state.sessionId = sessionId;
    if (sessionId) host.dataset.sessionId = sessionId;
    else delete host.dataset.sessionId;
  };
  const show = (line: Line) => {
    const p = el('p', { class: line.from }, line.text);
    if (line.sessionId) p.dataset.sessionId = line.sessionId;
    log.append(p);
    log.scrollTop = log.scrollHeight;
    return p;
  };
  const warn = (text: string) => log.append(el('p', { class: 'err', role: 'status' }, text));

  const post = async (path: string, body: object): Promise<Response> =>
    // A string body goes as text/plain: a "simple" request, so no CORS preflight on other origins.
    fetch(`${base}/${path}`, { method: 'POST', body: JSON.stringify(body), keepalive: path === 'close' });

  // 128 random bits, base64url: the id of one message, the same on every retry of it, so the
  // server counts a retried message once (the first attempt may have arrived, its answer not).
  const newId = (): string => {
    let binary = '';
    for (const byte of crypto.getRandomValues(new Uint8Array(16))) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  };
  const RETRY_DELAYS_MS = [1000, 3000];
  /** `post`, tried again after a network failure or a 502/503/504, with the same body (and id). */
  const postRetrying = async (path: string, body: object): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      const last = attempt === RETRY_DELAYS_MS.length;
      try {
        const res = await post(path, body);
        if (last || ![502, 503, 504].includes(res.status)) return res;
      } catch (error) {
        if (last) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]));
    }
  };

  const newConversation = async (): Promise<string> => {
    const res = await post('open', {});
    if (!res.ok) throw new Error(`open: ${res.status}`);
    const opened = (await res.json()) as { token: string };
    state.token = opened.token;
    save();
    return opened.token;
  };

  const send = async (text: string, line: HTMLElement) => {
    const messageId = newId();
    let res = await postRetrying('message', {
      token: state.token ?? (await newConversation()),
      text,
      messageId,
    });
    // 403: the token is not ours any more (expired, secret rotated, storage tampered). Start a new conversation once.
    if (res.status === 403)
      res = await postRetrying('message', { token: await newConversation(), text, messageId });
    if (!res.ok) throw new Error(`message: ${res.status}`);
    const answer = (await res.json()) as {
      token?: string;
      sessionId: string | null;
      message: Reply;
      replies: Reply[];
    };
    // The server renews a token half-way through its lifetime (or after a secret rotation).
    if (answer.token) state.token = answer.token;
    if (answer.message.sessionId) line.dataset.sessionId = answer.message.sessionId;
    const last = state.lines[state.lines.length - 1];
    if (last) last.sessionId = answer.message.sessionId;
    for (const reply of answer.replies) {
      const bot: Line = { from: 'bot', text: reply.text, sessionId: reply.sessionId };
      state.lines.push(bot);
      show(bot);
    }
    stamp(answer.sessionId);
    save();
  };

  const setOpen = (open: boolean, focus: boolean) => {
    box.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', String(open));
    state.open = open;
    save();
    if (focus) (open ? input : launcher).focus();
  };

  // pagehide: the page is going away (navigation, reload, tab closed). Leaving the page is not
  // the X: the conversation stays, a reload continues it, inactivity ends it.
  let leaving = false;
  addEventListener('pagehide', () => {
    leaving = true;
  });
  addEventListener('pageshow', () => {
    leaving = false;
  });

  const endChat = () => {
    const token = state.token;
    state = { lines: [] };
    save();
    log.replaceChildren();
    stamp(undefined);
    setOpen(false, true);
    if (token === undefined) return;
    // One id for the fetch and its beacon fallback: both arriving end one session, not the next one.
    const closing = { token, messageId: newId() };
    const beacon = () => navigator.sendBeacon(`${base}/close`, JSON.stringify(closing));
    // X while the page unloads: only a beacon is sure to leave. Otherwise fetch (keepalive), beacon as fallback.
    if (leaving) beacon();
    else post('close', closing).catch(beacon);
  };

  launcher.addEventListener('click', () => setOpen(true, true));
  close.addEventListener('click', endChat);
  // Escape hides the window and keeps the conversation; only X ends it.
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setOpen(false, true);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text === '') return;
    input.value = '';
    const line: Line = { from: 'user', text };
    state.lines.push(line);
    save();
    send(text, show(line)).catch(() => warn('Message not sent. Check your connection and try again.'));
  });

  for (const line of state.lines) show(line);
  stamp(state.sessionId);
  const mount = () => {
    document.body.append(host);
    // A reload restores an open window without stealing focus from the page.
    if (state.open) setOpen(true, false);
  };
  if (document.body) mount();
  else addEventListener('DOMContentLoaded', mount);
})();
