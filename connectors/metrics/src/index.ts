export { OTHER_CHANNEL } from './channels.js';
export { DEFAULT_LATENESS_BUCKETS } from './lateness-buckets.js';
export type { ReportingTracker } from './ledger.js';
export {
  type OpenTelemetryMetrics,
  type OpenTelemetryOptions,
  openTelemetry,
} from './opentelemetry.js';
export type { CommonMetricsOptions } from './options.js';
export {
  type PrometheusMetrics,
  type PrometheusOptions,
  prometheus,
} from './prometheus.js';
