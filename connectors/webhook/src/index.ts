/**
 * The one webhook helper every webhook connector uses: raw body with a size limit, HMAC and
 * timing-safe compare, JSON/form parsing, uniform error responses, and tracker calls that
 * survive a store outage. Internal to botsession.
 */
export { type NodeHandler, toNodeHandler, toReportingNodeHandler } from './handler.js';
export { WebhookHttpError } from './http-error.js';
export {
  checkBodyLimitBytes,
  checkFunction,
  checkOptionalFunction,
  checkOptionFields,
  checkTracker,
} from './options.js';
export { parseFormBody, parseJsonBody } from './parse.js';
export { DEFAULT_BODY_LIMIT_BYTES, readRawBody, type WebhookRequest } from './raw-body.js';
export { sendError, sendJson, sendText } from './respond.js';
export { type HmacAlgorithm, headerOf, hmac, safeEqual } from './signature.js';
export {
  endInterrupted,
  type ReportError,
  trackOrUndefined,
  trackReplyOrUndefined,
  unlessStoreDown,
} from './tracking.js';
