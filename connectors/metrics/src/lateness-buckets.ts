/** Default buckets of the end-lateness histogram, seconds: a scheduler tick to an hour-long outage. */
export const DEFAULT_LATENESS_BUCKETS: readonly number[] = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600,
];
