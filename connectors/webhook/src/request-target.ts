import type { IncomingMessage } from 'node:http';

/**
 * The path and query of a request, read without ever throwing. Node hands the request target
 * over as the client wrote it: origin-form (`/a?b`), but also `//x` (which `new URL(target,
 * base)` reads as a host), absolute-form (`http://host/a`, legal in HTTP/1.1), `*`, or garbage.
 * Only origin-form and absolute-form http(s) targets have a path; anything else is undefined
 * (a 400 for the caller). The path stays percent-encoded: decode segments with
 * `decodePathSegment`, which cannot throw either.
 */
export interface RequestTarget {
  /** The path, still percent-encoded, always starting with `/`. */
  pathname: string;
  /** The query without `?`; '' when none. */
  query: string;
}

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i;

/** The request's path and query, or undefined when its target has none (`*`, `host:443`, junk). */
export function requestTargetOf(req: Pick<IncomingMessage, 'url'>): RequestTarget | undefined {
  let target = typeof req.url === 'string' ? req.url : '';
  const authority = ABSOLUTE_FORM.exec(target);
  if (authority !== null) target = target.slice(authority[0].length) || '/';
  if (!target.startsWith('/')) return undefined;
  const hash = target.indexOf('#');
  if (hash !== -1) target = target.slice(0, hash);
  const mark = target.indexOf('?');
  return mark === -1
    ? { pathname: target, query: '' }
    : { pathname: target.slice(0, mark), query: target.slice(mark + 1) };
}

/** The query parameters of a request (empty when it has none or no usable target). */
export function queryOf(req: Pick<IncomingMessage, 'url'>): URLSearchParams {
  return new URLSearchParams(requestTargetOf(req)?.query ?? '');
}

/** A percent-decoded path segment, or undefined when its percent-encoding is malformed. */
export function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
