import type { ServerResponse } from 'node:http';

/** TwiML replies are a few hundred bytes; a route streaming more than this is not sending TwiML. */
const MAX_CAPTURED_BYTES = 256 * 1024;

/** One `<Message>` element each; message text is XML-escaped, so it cannot fake one. */
const MESSAGE_ELEMENT = /<Message(?=[\s/>])/g;

/** How many `<Message>` replies a TwiML document sends (0 for anything that is not TwiML). */
export function countMessages(body: string): number {
  if (!body.includes('<Response')) return 0;
  return body.match(MESSAGE_ELEMENT)?.length ?? 0;
}

/**
 * Watches what the route sends back for this one request and, when it is TwiML with
 * `<Message>` elements, tracks them as the bot's replies before the response leaves, so a
 * reply is counted before the user can answer it. Works for `res.end`, `res.write` and
 * anything built on them (Express `res.send`, `res.type('xml').send(twiml.toString())`).
 */
export function watchReplies(res: ServerResponse, trackReplies: (count: number) => Promise<void>): void {
  const chunks: Buffer[] = [];
  let captured = 0;
  const capture = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (captured > MAX_CAPTURED_BYTES) return;
    const buffer =
      typeof chunk === 'string'
        ? Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
        : Buffer.from(chunk as Uint8Array);
    captured += buffer.length;
    chunks.push(buffer);
  };

  const write = res.write;
  const end = res.end;
  res.write = function (this: ServerResponse, ...args: unknown[]) {
    capture(args[0], args[1]);
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as ServerResponse['write'];
  res.end = function (this: ServerResponse, ...args: unknown[]) {
    // One response, one end: put the originals back before anything else can call them.
    res.write = write;
    res.end = end;
    capture(args[0], args[1]);
    const count = captured > MAX_CAPTURED_BYTES ? 0 : countMessages(Buffer.concat(chunks).toString('utf8'));
    const finish = () => (end as (...a: unknown[]) => ServerResponse).apply(this, args);
    if (count === 0) return finish();
    void trackReplies(count).then(finish, finish);
    return this;
  } as ServerResponse['end'];
}
