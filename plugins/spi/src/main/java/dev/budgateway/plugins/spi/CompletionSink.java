package dev.budgateway.plugins.spi;

/**
 * Told of every exchange once, when it has ended: served, failed, cancelled, and also refused before the
 * chain ran (so a 400 or 413 is counted too). Runs on the exchange's event loop: copy what is needed and
 * hand slow work (a database write) to a queue of its own. Registered with {@link FilterEnv#addCompletionSink}.
 */
@FunctionalInterface
public interface CompletionSink {

    void onFinished(FinishedExchange finished);
}
