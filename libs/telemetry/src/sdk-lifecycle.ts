let shutdown: (() => Promise<void>) | undefined;
let flushed: Promise<void> | undefined;

/** Called by the preload once the SDK runs. */
export function setTelemetryShutdown(hook: () => Promise<void>): void {
  shutdown = hook;
}

/**
 * Exports what the SDK still buffers (spans of the drain itself included) and stops it, within
 * `timeoutMs`. Resolves at once when no SDK was started; never rejects.
 */
export function flushTelemetry(timeoutMs = 5_000): Promise<void> {
  if (!shutdown) return Promise.resolve();
  flushed ??= Promise.race([
    shutdown().catch(() => undefined),
    new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
  ]);
  return flushed;
}
