/**
 * Platform delivery ids a conversation has seen: the memory that makes a redelivery (a
 * platform retrying the same message) count nothing. Pure, like the rules; every backend
 * keeps one such list per conversation (the Redis scripts mirror it in Lua).
 */

/** The newest ids a conversation remembers: bounded memory, whatever the traffic. */
export const DELIVERIES_PER_CONVERSATION = 32;

export interface DeliveryRecord {
  /** The platform's delivery id. */
  id: string;
  /** The session the delivery acted on, or '' when it was counted nowhere. */
  sessionId: string;
  /** When it was first seen (the store's clock). */
  at: number;
}

/** The first delivery of `id` within the window, or undefined: then this is a new delivery. */
export function findDelivery(
  list: readonly DeliveryRecord[] | undefined,
  id: string,
  now: number,
  windowMs: number,
): DeliveryRecord | undefined {
  if (list === undefined) return undefined;
  for (let at = list.length - 1; at >= 0; at--) {
    const record = list[at]!;
    if (record.id === id) return now - record.at < windowMs ? record : undefined;
  }
  return undefined;
}

/** `list` with `record` added, ids past the window dropped and at most the newest 32 kept. */
export function rememberDelivery(
  list: DeliveryRecord[] | undefined,
  record: DeliveryRecord,
  windowMs: number,
): DeliveryRecord[] {
  const kept = (list ?? []).filter((old) => old.id !== record.id && record.at - old.at < windowMs);
  kept.push(record);
  return kept.length > DELIVERIES_PER_CONVERSATION ? kept.slice(-DELIVERIES_PER_CONVERSATION) : kept;
}
