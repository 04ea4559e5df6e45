/**
 * Lets the event loop run its timers and I/O before the caller goes on. A loop of tfjs passes whose `data()` promises
 * resolve at once (the wasm and cpu backends) runs as one chain of microtasks, starving sockets: a worker scoring a
 * CT volume patch by patch on wasm (112 passes, about 18 s here) lost its gRPC assignment stream to the coordinator
 * ("Connection dropped") until its loop yielded between passes. Costs one timer turn (about 1 ms).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, 0);
  });
}
