// A bot process for the multi-process tests: one tracker on a shared Redis, driven by JSON
// lines on stdin, reporting on stdout. Plain JS on the built packages: a child needs no
// TypeScript loader.
//   env REDIS_URL, PREFIX, WEB_TIMEOUT_MS, LOCK_MS (worker lock and stalled interval),
//       WORKER=0 (run no expiry worker), HANG_ON_END=1 (the sessionEnd hook never returns),
//       CLOCK_SKEW_MS (this process's Date.now runs that far ahead, for every library in it)
//   stdin  {"id":1,"op":"track","ref":{...},"direction":"inbound"}   → {"id":1,"stamp":{...}}
//   stdout {"event":"start"|"end"|"delivering"|"error","session"|"message":...}, {"ready":true}
import { createInterface } from 'node:readline';

const skew = Number(process.env.CLOCK_SKEW_MS ?? 0);
if (skew !== 0) {
  const realNow = Date.now;
  Date.now = () => realNow() + skew;
}

import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';

const lockMs = Number(process.env.LOCK_MS ?? 30_000);
const tracker = createSessionTracker({
  backend: redisBackend({
    connection: process.env.REDIS_URL,
    prefix: process.env.PREFIX,
    queues: 2,
    hookLeaseMs: lockMs,
    worker: process.env.WORKER === '0' ? false : { lockDurationMs: lockMs, stalledIntervalMs: lockMs },
  }),
  channels: { web: { inactivityTimeoutMs: Number(process.env.WEB_TIMEOUT_MS ?? 300_000) } },
  // A test may hang a hook until the process is killed: longer than any test waits.
  hookTimeoutMs: 120_000,
});

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
tracker.on('sessionStart', (session) => send({ event: 'start', session }));
tracker.on('sessionEnd', (session) => {
  if (process.env.HANG_ON_END === '1') {
    send({ event: 'delivering', session });
    return new Promise(() => {}); // a hook stuck until the process is killed
  }
  send({ event: 'end', session });
});
tracker.on('error', (error) => send({ event: 'error', message: error.message }));

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line);
  try {
    if (command.op === 'track') {
      const options = { direction: command.direction, deliveryId: command.deliveryId };
      send({ id: command.id, stamp: await tracker.track(command.ref, options) });
    } else if (command.op === 'report') {
      send({ id: command.id, rows: await tracker.report(command.query) });
    } else if (command.op === 'close') {
      await tracker.close();
      send({ id: command.id, closed: true });
      process.exit(0);
    }
  } catch (error) {
    send({ id: command.id, error: error.message });
  }
});
send({ ready: true });
