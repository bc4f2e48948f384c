package dev.budgateway.filters.controlplane;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script run with {@code EVALSHA} (its SHA-1 computed here, so no {@code SCRIPT LOAD} round trip), sent whole
 * once when Redis answers {@code NOSCRIPT}: after a restart, a fail-over or a {@code SCRIPT FLUSH}.
 */
public final class RedisScript {

    private final String source;
    private final String sha;

    private RedisScript(String source) {
        this.source = source;
        this.sha = sha1(source);
    }

    /** The script in the resource {@code name} beside {@code owner}. */
    public static RedisScript load(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the jar");
            }
            return new RedisScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs the script; its reply is a list (a Lua table). */
    public CompletionStage<List<Object>> run(RedisAsyncCommands<String, String> redis, String[] keys, String... args) {
        CompletableFuture<List<Object>> reply = new CompletableFuture<>();
        redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).whenComplete((r, failure) -> {
            if (isNoScript(failure)) {
                redis.<List<Object>>eval(source, ScriptOutputType.MULTI, keys, args).whenComplete((again, f) -> {
                    if (f != null) {
                        reply.completeExceptionally(f);
                    } else {
                        reply.complete(again);
                    }
                });
            } else if (failure != null) {
                reply.completeExceptionally(failure);
            } else {
                reply.complete(r);
            }
        });
        return reply;
    }

    private static boolean isNoScript(Throwable failure) {
        return failure instanceof RedisNoScriptException
                || (failure != null && failure.getCause() instanceof RedisNoScriptException);
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(
                    text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
