import type { ConversationRef } from '../../types.js';

/**
 * Conversation names in Redis. ioredis writes strings as UTF-8, where every unpaired UTF-16
 * surrogate becomes U+FFFD: two different ids could share one key. So a name is the string
 * itself when it is well-formed and free of our separators and escape marker, and otherwise
 * the marker then the base64 of its UTF-16 code units: one name per id, whatever the id.
 */
const ESCAPE = '\u0000~';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function encodeName(value: string): string {
  if (
    !LONE_SURROGATE.test(value) &&
    !value.startsWith(ESCAPE) &&
    !value.includes('\u001e') &&
    !value.includes('\u001f')
  ) {
    return value;
  }
  return ESCAPE + Buffer.from(value, 'utf16le').toString('base64');
}

export function decodeName(name: string): string {
  if (!name.startsWith(ESCAPE)) return name;
  return Buffer.from(name.slice(ESCAPE.length), 'base64').toString('utf16le');
}

/** The hash field of a conversation: channel \x1f conversationId, both encoded. */
export function conversationName(ref: ConversationRef): string {
  return `${encodeName(ref.channel)}\u001f${encodeName(ref.conversationId)}`;
}

export function refOfName(name: string): { channel: string; conversationId: string } {
  const cut = name.indexOf('\u001f');
  return { channel: decodeName(name.slice(0, cut)), conversationId: decodeName(name.slice(cut + 1)) };
}

/** FNV-1a of the conversation name: which shard holds the conversation. Any stable hash would do. */
export function shardOf(name: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}
