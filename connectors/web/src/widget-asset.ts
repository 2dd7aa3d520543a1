import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export interface WidgetAsset {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
}

let cached: WidgetAsset | undefined;

/**
 * The compiled widget script (dist/widget/widget.js, built by widget/tsconfig.json), read and
 * gzipped once per process: it is a few kilobytes and never changes while the server runs.
 */
export function widgetAsset(): WidgetAsset {
  if (cached === undefined) {
    const body = readFileSync(new URL('./widget/widget.js', import.meta.url));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
    cached = { body, gzipped: gzipSync(body, { level: 9 }), etag };
  }
  return cached;
}
