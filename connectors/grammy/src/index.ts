export type { BotSessionFlavor } from './context.js';
export { refOf } from './map.js';
export { type BotSessionOptions, botSession } from './middleware.js';
export { type TrackOutgoingOptions, trackOutgoing } from './outgoing.js';
