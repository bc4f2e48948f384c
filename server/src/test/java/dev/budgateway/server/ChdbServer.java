package dev.budgateway.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The current ClickHouse engine (chDB, the npm package {@code chdb} that {@code bin/test} installs under
 * {@code .cache/chdb}) behind ClickHouse's HTTP interface ({@code chdb-front.js}), on a free loopback port: the
 * modern dialect's SQL runs against it, where Debian's server is 18.16.
 */
final class ChdbServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;
    private final HttpClient http = HttpClient.newHttpClient();

    private ChdbServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /** Where chdb is installed: {@code BUDGATEWAY_CHDB_DIR}, else the checkout's {@code .cache/chdb}. */
    static Path home() {
        String env = System.getenv("BUDGATEWAY_CHDB_DIR");
        return env != null ? Path.of(env) : Path.of("..", ".cache", "chdb").toAbsolutePath().normalize();
    }

    static ChdbServer start() throws Exception {
        Path modules = home().resolve("node_modules");
        if (!Files.isDirectory(modules.resolve("chdb"))) {
            throw new IllegalStateException("chdb is not installed in " + home() + ": bin/test installs it "
                    + "(npm install --prefix .cache/chdb chdb@3.4.0)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path dir = Files.createTempDirectory("chdb-test");
        Path front = dir.resolve("chdb-front.js");
        try (var in = ChdbServer.class.getResourceAsStream("/chdb-front.js")) {
            Files.copy(in, front);
        }
        ProcessBuilder pb = new ProcessBuilder(List.of("node", front.toString(), Integer.toString(port),
                dir.resolve("data").toString())).redirectErrorStream(true)
                .redirectOutput(dir.resolve("front.log").toFile());
        pb.environment().put("NODE_PATH", modules.toString());
        ChdbServer s = new ChdbServer(pb.start(), port, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                if (s.http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ping")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().startsWith("Ok")) {
                    return s;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline || !s.process.isAlive()) {
                s.close();
                throw new IllegalStateException("the chdb front did not start: " + Files.readString(
                        dir.resolve("front.log")));
            }
            Thread.sleep(100);
        }
    }

    int port() {
        return port;
    }

    String url(String database) {
        return "http://127.0.0.1:" + port + "/" + database;
    }

    String query(String sql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/?query=" + URLEncoder.encode(sql, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.body());
        }
        return r.body().strip();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
