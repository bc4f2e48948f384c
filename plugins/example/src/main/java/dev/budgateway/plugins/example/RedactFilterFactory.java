package dev.budgateway.plugins.example;

import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkEmitter;
import dev.budgateway.plugins.spi.ConfigException;
import dev.budgateway.plugins.spi.Filter;
import dev.budgateway.plugins.spi.FilterConfig;
import dev.budgateway.plugins.spi.FilterEnv;
import dev.budgateway.plugins.spi.FilterFactory;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.ResponseListener;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code type = "example-redact"}: the shape of a streaming guardrail. It hides configured words in the
 * generated text, also when a word is split over several chunks of a stream: it holds back the end of
 * what it has seen (as many characters as could still be the start of a word), asks a check on another
 * thread for the redacted text ({@link ChunkEmitter#await} pauses the stream, and with it the upstream,
 * meanwhile), and emits the tail it held when the stream ends ({@link ResponseListener#onEnd}). A unary
 * answer is checked whole.
 */
public final class RedactFilterFactory implements FilterFactory {

    /** Stands in for a moderation service's client threads. */
    private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "example-redact-check");
        t.setDaemon(true);
        return t;
    });

    @Override
    public String type() {
        return "example-redact";
    }

    @Override
    public Filter create(FilterConfig config, FilterEnv env) throws ConfigException {
        RedactConfig c = config.bind(RedactConfig.class);
        Pattern words = Pattern.compile(c.words().stream().map(Pattern::quote).collect(Collectors.joining("|")),
                Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
        String replacement = Matcher.quoteReplacement(c.replacement());
        return exchange -> {
            exchange.addListener(new Redactor(c, text -> check(text, words, replacement, c.checkDelayMs())));
            return FilterResult.CONTINUE;
        };
    }

    /** The remote check: answers on another thread after the configured delay. */
    private static CompletableFuture<String> check(String text, Pattern words, String replacement, long delayMs) {
        CompletableFuture<String> answer = new CompletableFuture<>();
        CHECKS.schedule(() -> answer.complete(words.matcher(text).replaceAll(replacement)), delayMs,
                TimeUnit.MILLISECONDS);
        return answer.orTimeout(delayMs + 5_000, TimeUnit.MILLISECONDS);
    }

    /** One exchange's redaction: per-exchange state, so one listener per exchange. */
    private static final class Redactor implements ResponseListener {
        private final int keep;
        private final java.util.function.Function<String, CompletableFuture<String>> check;
        /** Checked text not yet sent: it may be the start of a word that the next chunk completes. */
        private String held = "";
        /** The last chunk that carried text: the held tail goes out in its shape. */
        private Chunk lastText;

        Redactor(RedactConfig c, java.util.function.Function<String, CompletableFuture<String>> check) {
            this.keep = c.longest() - 1;
            this.check = check;
        }

        @Override
        public void onChunk(Chunk chunk, ChunkEmitter next) {
            String text = chunk.text();
            if (text == null) {
                flush(next); // the text is over (a finish, usage, a tool call): nothing can complete a word now
                next.emit(chunk);
                return;
            }
            if (chunk.isUnary()) {
                next.await(check.apply(text), checked -> next.emit(chunk.withText(checked)));
                return;
            }
            lastText = chunk;
            String seen = held + text;
            held = "";
            next.await(check.apply(seen), checked -> {
                int cut = Math.max(0, checked.length() - keep);
                if (cut > 0 && cut < checked.length() && Character.isLowSurrogate(checked.charAt(cut))) {
                    cut--; // never split a character in two
                }
                held = checked.substring(cut);
                if (cut > 0) {
                    next.emit(chunk.withText(checked.substring(0, cut)));
                }
            });
        }

        @Override
        public void onEnd(ChunkEmitter next) {
            flush(next);
        }

        private void flush(ChunkEmitter next) {
            if (!held.isEmpty()) {
                next.emit(lastText.withText(held));
                held = "";
            }
        }
    }
}
