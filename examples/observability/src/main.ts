import { randomBytes } from 'node:crypto';
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { createApp } from './app.js';

// REDIS_URL: run several of these processes on one Redis; /metrics and the dashboard show the
// same figures from each. Without it, the memory backend (one process).
const redisUrl = process.env.REDIS_URL;
const port = Number(process.env.PORT ?? 3000);
const chatSecret = process.env.BOTSESSION_WEB_SECRET ?? randomBytes(32).toString('base64url');
const dashboardToken = process.env.DASHBOARD_TOKEN ?? randomBytes(18).toString('base64url');

const tracker = createSessionTracker(
  redisUrl === undefined ? {} : { backend: redisBackend({ connection: redisUrl }) },
);
tracker.on('error', (error) => console.error('tracker error:', error.message));

const server = createApp({ tracker, chatSecret, dashboardToken }).listen(port, () => {
  console.log(`help desk on http://localhost:${port}/ (${redisUrl === undefined ? 'memory' : redisUrl})`);
  console.log(`metrics   on http://localhost:${port}/metrics`);
  console.log(`dashboard on http://localhost:${port}/dashboard/ (any user name, password: the token)`);
  if (process.env.DASHBOARD_TOKEN === undefined) console.log(`dashboard token: ${dashboardToken}`);
});
const stop = () => {
  server.close();
  void tracker.close();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
