/**
 * The one HTTP layer every botsession HTTP connector uses: request-target parsing that cannot
 * throw, one error policy (`onError`, else Express `next`, else a log; never an unhandled
 * rejection), raw body with a size limit and a read timeout, media-type checks, HMAC and
 * timing-safe compare, JSON/form parsing, uniform error answers, CORS allow-lists,
 * per-client new-session limits, option checks, and tracker calls that survive a store
 * outage. Internal to botsession.
 */
export { clientMessageIdOf } from './client-id.js';
export { applyCors, checkAllowedOrigins } from './cors.js';
export { type RefusalStatus, WebhookHttpError } from './http-error.js';
export {
  type Exchange,
  type HttpErrorContext,
  type HttpErrorHandler,
  type HttpLayerOptions,
  httpLayer,
  type NextFunction,
  type NodeHandler,
} from './http-layer.js';
export { checkMediaType, JSON_MEDIA_TYPES, mediaTypeOf } from './media-type.js';
export { toNodeHandler, toReportingNodeHandler } from './node-handler.js';
export {
  checkBodyLimitBytes,
  checkFunction,
  checkHttpOptions,
  checkOptionalFunction,
  checkOptionFields,
  checkReadTimeoutMs,
  checkTracker,
  HTTP_OPTION_FIELDS,
  type HttpOptions,
} from './options.js';
export { parseFormBody, parseJsonBody } from './parse.js';
export {
  type Admission,
  type CheckedNewSessionLimit,
  checkNewSessionLimit,
  clientAddressOf,
  type NewSessionLimit,
  newSessionAdmission,
  type TokenBuckets,
  tokenBuckets,
  tooManySessions,
} from './rate-limit.js';
export {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_READ_TIMEOUT_MS,
  type ReadBodyOptions,
  readRawBody,
  type WebhookRequest,
} from './raw-body.js';
export { decodePathSegment, queryOf, type RequestTarget, requestTargetOf } from './request-target.js';
export { sendError, sendJson, sendText } from './respond.js';
export { type HmacAlgorithm, headerOf, hmac, safeEqual } from './signature.js';
export { isTelegramInteraction, TELEGRAM_CHANNEL, telegramDeliveryId } from './telegram.js';
export {
  activeSessionStamp,
  endInterrupted,
  type ReportError,
  replyDeliveryId,
  trackOrUndefined,
  trackReplyOrUndefined,
  trackTelling,
  unlessStoreDownOrReport,
} from './tracking.js';
