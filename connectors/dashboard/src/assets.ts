import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { DASHBOARD_CSS } from './page-css.js';

export interface Asset {
  body: Buffer;
  gzipped: Buffer;
  etag: string;
  contentType: string;
}

const require = createRequire(import.meta.url);

// uPlot's own minified IIFE build and stylesheet, from the uplot package: no CDN.
const SOURCES: Record<string, { contentType: string; read: () => Buffer }> = {
  'uPlot.min.js': {
    contentType: 'text/javascript; charset=utf-8',
    read: () => readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')),
  },
  'uPlot.min.css': {
    contentType: 'text/css; charset=utf-8',
    read: () => readFileSync(require.resolve('uplot/dist/uPlot.min.css')),
  },
  'dashboard.js': {
    contentType: 'text/javascript; charset=utf-8',
    // Built from page/dashboard.ts by page/tsconfig.json.
    read: () => readFileSync(new URL('./page/dashboard.js', import.meta.url)),
  },
  'dashboard.css': {
    contentType: 'text/css; charset=utf-8',
    read: () => Buffer.from(DASHBOARD_CSS),
  },
};

let cached: Map<string, Asset> | undefined;

/**
 * The page's static files, read and gzipped once per process (they never change while the
 * server runs). Called at construction too, so a missing build fails there, not at the first visit.
 */
export function assets(): Map<string, Asset> {
  if (cached === undefined) {
    cached = new Map();
    for (const [name, source] of Object.entries(SOURCES)) {
      const body = source.read();
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`;
      cached.set(name, {
        body,
        gzipped: gzipSync(body, { level: 9 }),
        etag,
        contentType: source.contentType,
      });
    }
  }
  return cached;
}
