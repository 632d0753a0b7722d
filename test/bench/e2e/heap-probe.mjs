// Preloaded into the measured process (ours and the peer) by the e2e bench:
// answers an IPC "heap" message with the heap in use after a full GC. The
// process must run with --expose-gc; nothing else changes in it.
process.on('message', (message) => {
  if (message !== 'heap') return;
  globalThis.gc?.();
  process.send?.({ heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss });
});
// The IPC channel must not keep a process alive that would otherwise exit.
process.channel?.unref();
