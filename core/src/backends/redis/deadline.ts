/**
 * A command's deadline, this process's side of "a call that rejects has no effect". ioredis's
 * own commandTimeout rejects from a timer, and a loaded event loop runs timers before it
 * reads the socket: an answer already waiting there would be thrown away and the call
 * rejected although Redis acted on it in time. So the deadline gives the socket one more
 * look (the poll phase runs between timers and setImmediate) before giving up.
 */
export function withDeadline<T>(
  promise: Promise<T>,
  ms: number,
  onTimeout: () => Error,
  onLateAnswer?: (value: T) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(onTimeout());
      });
    }, ms);
    promise.then(
      (value) => {
        // Rejected already, and yet answered: the caller decides what a late answer means.
        if (settled) {
          onLateAnswer?.(value);
          return;
        }
        settled = true;
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
