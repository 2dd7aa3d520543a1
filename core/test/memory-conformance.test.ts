import { memoryBackend } from '@botsession/core';
import { runConformanceSuite } from './conformance.js';

runConformanceSuite('memory backend', { makeBackend: memoryBackend, clock: 'fake' });
runConformanceSuite('memory backend', { makeBackend: memoryBackend, clock: 'real' });
