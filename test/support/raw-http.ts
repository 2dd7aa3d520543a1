/**
 * HTTP/1.1 spoken over a raw TCP socket (node:net), for tests that must send what fetch never
 * would: malformed request lines, absolute-form targets, bad percent-encoding, lying
 * Content-Length, bodies trickled byte by byte.
 */
import { connect } from 'node:net';

export interface RawReply {
  /** The status of the first response, or undefined when the server closed without one. */
  status: number | undefined;
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** How the exchange ended: the server closed, or our own deadline passed. */
  ended: 'closed' | 'timeout';
}

/**
 * Sends `chunks` (written in order, `gapMs` apart) to 127.0.0.1:`port` and collects the
 * answer until the server closes the connection or `timeoutMs` passes.
 *
 * ```ts
 * const reply = await rawRequest(port, ['GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n']);
 * ```
 */
export function rawRequest(
  port: number,
  chunks: ReadonlyArray<string | Buffer>,
  options: {
    gapMs?: number;
    timeoutMs?: number /** Half-close our side once everything is written. */;
    end?: boolean;
  } = {},
): Promise<RawReply> {
  const { gapMs = 0, timeoutMs = 5000, end = false } = options;
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = connect(port, '127.0.0.1');
    let settled = false;
    const finish = (ended: RawReply['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(received).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : undefined, text, ended });
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (data) => received.push(data));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('closed')); // a reset is the server's way of closing too
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      if (end && !socket.destroyed) socket.end();
    });
  });
}
