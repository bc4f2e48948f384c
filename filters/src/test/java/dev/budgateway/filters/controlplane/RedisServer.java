package dev.budgateway.filters.controlplane;

import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} (Debian's package; {@code bin/test} installs it) on a free loopback port: started
 * for a test, stopped and started again on the same port to play an outage. What it holds is saved to a dump
 * in a directory of its own when it stops and read back when it starts, and {@link #whileDown} changes that dump
 * through a second server on another port, so a test can make changes the gateway cannot hear of. Writes go
 * through a plain Lettuce connection, as budapp's own writes would reach Redis.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final java.nio.file.Path dir;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisServer(int port) throws IOException {
        this.port = port;
        this.dir = java.nio.file.Files.createTempDirectory("redis-test");
        dir.toFile().deleteOnExit();
    }

    /** Started, with keyspace events off as a fresh Redis has them: the gateway must turn them on. */
    public static RedisServer start() throws Exception {
        RedisServer r = new RedisServer(freePort());
        r.up();
        return r;
    }

    /** Not started: for a gateway that comes up before its Redis. */
    public static RedisServer notStarted() throws IOException {
        return new RedisServer(freePort());
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts (again) on the same port; returns once it answers. */
    public synchronized void up() throws Exception {
        if (process != null) {
            return;
        }
        process = launch(port);
        client = RedisClient.create(url());
        connection = client.connect();
    }

    private Process launch(int onPort) throws Exception {
        String binary = new File("/usr/bin/redis-server").canExecute() ? "/usr/bin/redis-server" : "redis-server";
        Process p = new ProcessBuilder(List.of(binary, "--port", String.valueOf(onPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString(),
                "--dbfilename", "dump.rdb"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                new Socket("127.0.0.1", onPort).close();
                return p;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new IllegalStateException("redis-server did not start on port " + onPort
                            + " (is the redis-server package installed? bin/test installs it)");
                }
                Thread.sleep(20);
            }
        }
    }

    /**
     * A Redis Sentinel (the same binary, in sentinel mode) watching this server as {@code master}; the caller
     * closes it. Returns its {@code redis-sentinel://} URL through {@link Sentinel#url}.
     */
    public Sentinel sentinel(String master) throws Exception {
        int sentinelPort = freePort();
        java.nio.file.Path conf = dir.resolve("sentinel-" + sentinelPort + ".conf");
        java.nio.file.Files.writeString(conf, "port " + sentinelPort + "\nbind 127.0.0.1\nprotected-mode no\n"
                + "sentinel monitor " + master + " 127.0.0.1 " + port + " 1\n");
        String binary = new File("/usr/bin/redis-server").canExecute() ? "/usr/bin/redis-server" : "redis-server";
        Process p = new ProcessBuilder(List.of(binary, conf.toString(), "--sentinel")).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                new Socket("127.0.0.1", sentinelPort).close();
                return new Sentinel(p, "redis-sentinel://127.0.0.1:" + sentinelPort + "/0#" + master);
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    p.destroyForcibly();
                    throw new IllegalStateException("redis-server --sentinel did not start");
                }
                Thread.sleep(20);
            }
        }
    }

    /** A running sentinel. */
    public record Sentinel(Process process, String url) implements AutoCloseable {
        @Override
        public void close() {
            try {
                stop(process);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a stalled Redis. */
    public synchronized void freeze() throws Exception {
        signal("-STOP");
    }

    /** Lets a frozen server go on (SIGCONT). */
    public synchronized void thaw() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        new ProcessBuilder("kill", signal, String.valueOf(process.pid())).start().waitFor();
    }

    /** Stops the server (an outage), keeping what it held for the next start. */
    public synchronized void down() throws InterruptedException {
        if (process == null) {
            return;
        }
        connection.sync().save();
        connection.close();
        client.shutdown();
        stop(process);
        process = null;
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /** While the server is down, changes what it will hold when it is up again; nobody is notified. */
    public synchronized void whileDown(java.util.function.Consumer<RedisCommands<String, String>> changes)
            throws Exception {
        if (process != null) {
            throw new IllegalStateException("the server is up");
        }
        int scratchPort = freePort();
        Process scratch = launch(scratchPort);
        RedisClient c = RedisClient.create("redis://127.0.0.1:" + scratchPort);
        try (StatefulRedisConnection<String, String> conn = c.connect()) {
            changes.accept(conn.sync());
            conn.sync().save();
        } finally {
            c.shutdown();
            stop(scratch);
        }
    }

    public synchronized RedisCommands<String, String> commands() {
        return connection.sync();
    }

    public void set(String key, String value) {
        commands().set(key, value);
    }

    public void setWithTtl(String key, String value, long seconds) {
        commands().set(key, value, SetArgs.Builder.ex(seconds));
    }

    public void delete(String key) {
        commands().del(key);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        try {
            down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
