export { ConfigError } from './config-error.js';
export { HookError } from './hook-error.js';
export { LateAnswerError } from './late-answer-error.js';
export { SignatureError } from './signature-error.js';
export { StoreUnavailableError } from './store-unavailable-error.js';
export { TrackerClosedError } from './tracker-closed-error.js';
export { unlessStoreDown } from './unless-store-down.js';
