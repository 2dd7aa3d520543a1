/**
 * `npm run bench`: prints every benchmark figure. Figures, never pass/fail: targets are in
 * the README beside the numbers measured.
 */
import { runMemoryBench } from './memory.js';
import { runRedisBench } from './redis.js';
import { runRedisCountsBench } from './redis-counts.js';
import { runRedisScaleBench } from './redis-scale.js';
import { runRedisScaleOutBench } from './redis-scaleout.js';

const only = process.argv[2];
console.log(`botsession benchmarks, node ${process.version}, ${new Date().toISOString()}`);
if (!only || only === 'memory') await runMemoryBench();
if (!only || only === 'redis') await runRedisBench();
if (!only || only === 'counts') await runRedisCountsBench();
if (!only || only === 'scale') await runRedisScaleBench();
if (!only || only === 'scaleout') await runRedisScaleOutBench();
