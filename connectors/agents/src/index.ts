export { refOf } from './map.js';
export { BotSessionMiddleware, type BotSessionMiddlewareOptions, getSession } from './middleware.js';
