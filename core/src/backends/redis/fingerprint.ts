/**
 * A short key for a delivery id inside one conversation: a 53-bit hash (cyrb53), its last
 * eight base-36 digits. Not cryptographic, and need not be: a collision needs two ids of the
 * same conversation within its redelivery window (about 1 in 3 x 10^12 per pair), and a
 * client that makes its own ids can only confuse its own conversation.
 */
export function fingerprint(deliveryId: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < deliveryId.length; i++) {
    const c = deliveryId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  // Eight base-36 digits (41 bits) are plenty inside one conversation; the store packs them
  // into 6 bytes of a 16-byte entry (commands/includes/deliveries.lua).
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36).slice(-8);
}
