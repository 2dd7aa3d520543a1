// Loaded with `node --import` before a README snippet runs: a snippet that serves HTTP on a
// fixed port (`listen(3000)`) gets a free port instead, so the check never collides with
// anything else on the machine, and says when it is listening so the check can stop it.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function listenOnAFreePort(...args) {
  if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) args[0] = 0;
  else if (args[0] && typeof args[0] === 'object' && 'port' in args[0]) args[0] = { ...args[0], port: 0 };
  this.once('listening', () => {
    process.stdout.write(`pack-check: listening on port ${this.address().port}\n`);
  });
  return listen.apply(this, args);
};
