// One bot process of the scale-out benchmark (bench/src/redis-scaleout.ts): a tracker on a
// Redis Cluster through an ioredis `Cluster`, running its own expiry workers, driven by JSON
// lines on stdin and answering on stdout. Plain JS on the built packages: no TypeScript loader.
//   env NODES (JSON [{host,port}]: the cluster) or REDIS_URL (one redis-server, the baseline),
//       PREFIX, BOT (this process's index),
//       SHORT_TIMEOUT_MS (the inactivity timeout of the lateness sessions)
//   stdin  {"id":1,"op":"throughput","inFlight":50,"warmUpUntil":t0,"stopAt":t1}
//            → {"id":1,"ops":n,"seconds":s,"cpuSeconds":c}   (ops and CPU counted from t0 to t1)
//          {"id":2,"op":"arrivals","perSecond":250,"durationMs":15000,"startAt":t}
//            → {"id":2,"sent":n,"seconds":s,"failed":f}
//          {"id":3,"op":"ends"}      → {"id":3,"ends":n}
//          {"id":4,"op":"lateness"}  → {"id":4,"lateness":[ms, ...]}  (sessionEnd time − endedAt)
//          {"id":5,"op":"close"}     → {"id":5,"closed":true}, then exit
//   stdout {"ready":true} once the tracker answers; {"error":"..."} for a tracker error event
import { createInterface } from 'node:readline';
import { createSessionTracker } from '@botsession/core';
import { redisBackend } from '@botsession/core/redis';
import { Cluster } from 'ioredis';

const bot = process.env.BOT;
const cluster = process.env.NODES ? new Cluster(JSON.parse(process.env.NODES)) : undefined;
const tracker = createSessionTracker({
  // Default shards, queues and worker: the backend as a user would run it.
  backend: redisBackend({ connection: cluster ?? process.env.REDIS_URL, prefix: process.env.PREFIX }),
  channels: {
    // Throughput: sessions that go on for the whole run, so every call is a plain touch.
    ongoing: { inactivityTimeoutMs: 3_600_000 },
    // Lateness: every message opens a session that ends this soon after it.
    short: { inactivityTimeoutMs: Number(process.env.SHORT_TIMEOUT_MS) },
  },
});

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

// Which process ends a session is whichever worker swept its shard: every process keeps
// its own samples and the parent merges them.
const lateness = [];
tracker.on('sessionEnd', (session) => {
  lateness.push(Date.now() - session.endedAt);
});
tracker.on('error', (error) => send({ error: error.message }));

/** `inFlight` loops of track() on ongoing sessions; counts the calls that finish between warmUpUntil and stopAt. */
async function throughput({ inFlight, warmUpUntil, stopAt }) {
  const refs = Array.from({ length: inFlight }, (_, i) => ({
    channel: 'ongoing',
    conversationId: `b${bot}-${i}`,
    userId: `u${bot}-${i}`,
  }));
  await Promise.all(refs.map((ref) => tracker.track(ref, { direction: 'inbound' })));
  let ops = 0;
  let counting = false;
  let cpuAtStart = 0;
  let startedAt = 0;
  const begin = setTimeout(
    () => {
      counting = true;
      cpuAtStart = cpuSeconds();
      startedAt = performance.now();
    },
    Math.max(0, warmUpUntil - Date.now()),
  );
  await Promise.all(
    refs.map(async (ref) => {
      while (Date.now() < stopAt) {
        await tracker.track(ref, { direction: 'inbound' });
        if (counting) ops++;
      }
    }),
  );
  clearTimeout(begin);
  return { ops, seconds: (performance.now() - startedAt) / 1000, cpuSeconds: cpuSeconds() - cpuAtStart };
}

/**
 * New sessions at a steady `perSecond` from `startAt` for `durationMs`, sent on a 50 ms tick
 * without waiting for answers (arrivals do not slow down when the store does).
 */
async function arrivals({ perSecond, durationMs, startAt }) {
  await sleep(Math.max(0, startAt - Date.now()));
  const tickMs = 50;
  const total = Math.round((perSecond * durationMs) / 1000);
  const started = performance.now();
  const calls = [];
  let failed = 0;
  for (let tick = 1; calls.length < total; tick++) {
    const due = Math.min(total, Math.round((tick * tickMs * perSecond) / 1000));
    while (calls.length < due) {
      const ref = { channel: 'short', conversationId: `l${bot}-${calls.length}` };
      calls.push(tracker.track(ref, { direction: 'inbound' }).catch(() => failed++));
    }
    await sleep(Math.max(0, started + tick * tickMs - performance.now()));
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(calls);
  return { sent: calls.length, failed, seconds };
}

createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line);
  try {
    if (command.op === 'throughput') send({ id: command.id, ...(await throughput(command)) });
    else if (command.op === 'arrivals') send({ id: command.id, ...(await arrivals(command)) });
    else if (command.op === 'ends') send({ id: command.id, ends: lateness.length });
    else if (command.op === 'lateness') send({ id: command.id, lateness });
    else if (command.op === 'close') {
      await tracker.close();
      await cluster?.quit();
      send({ id: command.id, closed: true });
      process.exit(0);
    }
  } catch (error) {
    send({ id: command.id, failure: error.message });
  }
});

// Ready once the tracker has answered a call (scripts loaded, clock offset learned).
await tracker.track({ channel: 'ongoing', conversationId: `ready-${bot}` }, { direction: 'inbound' });
send({ ready: true });
