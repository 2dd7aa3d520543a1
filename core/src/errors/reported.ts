/**
 * A store failure a backend has already reported through `BackendHost.reportError` (one
 * `error` event per outage, not one per call): the tracker rejects the call with it but
 * does not emit it again.
 */
const REPORTED = Symbol.for('botsession.reported');

export function markReported(error: Error): void {
  Object.defineProperty(error, REPORTED, { value: true });
}

export function isReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[REPORTED] === true;
}
