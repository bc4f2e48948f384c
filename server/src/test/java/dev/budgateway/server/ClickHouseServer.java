package dev.budgateway.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code clickhouse-server} (Debian's package, 18.16; {@code bin/test} installs it) on free loopback ports,
 * with a data directory of its own: started for a test, and stopped and started again on the same ports and data to
 * play an outage.
 */
final class ClickHouseServer implements AutoCloseable {

    private final Path dir;
    private final int httpPort;
    private final int tcpPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;

    private ClickHouseServer() throws IOException {
        this.dir = Files.createTempDirectory("clickhouse-test");
        this.httpPort = freePort();
        this.tcpPort = freePort();
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(dir.resolve("users.xml"), """
                <yandex>
                  <profiles><default></default></profiles>
                  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
                    <profile>default</profile><quota>default</quota></default></users>
                  <quotas><default></default></quotas>
                </yandex>
                """);
        Files.writeString(dir.resolve("config.xml"), """
                <yandex>
                  <logger><level>warning</level><log>%1$s/server.log</log><errorlog>%1$s/error.log</errorlog></logger>
                  <http_port>%2$d</http_port>
                  <tcp_port>%3$d</tcp_port>
                  <listen_host>127.0.0.1</listen_host>
                  <path>%1$s/data/</path>
                  <tmp_path>%1$s/tmp/</tmp_path>
                  <users_config>%1$s/users.xml</users_config>
                  <default_profile>default</default_profile>
                  <default_database>default</default_database>
                  <mark_cache_size>5368709</mark_cache_size>
                </yandex>
                """.formatted(dir, httpPort, tcpPort));
    }

    static ClickHouseServer start() throws Exception {
        ClickHouseServer s = new ClickHouseServer();
        s.up();
        return s;
    }

    /** {@code http://127.0.0.1:<port>/<database>}, as {@code TENSORZERO_CLICKHOUSE_URL} is written. */
    int httpPort() {
        return httpPort;
    }

    String url(String database) {
        return "http://127.0.0.1:" + httpPort + "/" + database;
    }

    synchronized void up() throws Exception {
        if (process != null) {
            return;
        }
        String binary = Files.isExecutable(Path.of("/usr/bin/clickhouse-server")) ? "/usr/bin/clickhouse-server"
                : "clickhouse-server";
        process = new ProcessBuilder(List.of(binary, "--config-file=" + dir.resolve("config.xml")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/ping")).build(),
                        HttpResponse.BodyHandlers.ofString()).body().startsWith("Ok")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline || !process.isAlive()) {
                process.destroyForcibly();
                process = null;
                throw new IllegalStateException("clickhouse-server did not start on port " + httpPort
                        + " (is the clickhouse-server package installed? bin/test installs it)");
            }
            Thread.sleep(50);
        }
    }

    /** Kills the server, as a crash would (a graceful stop of 18.16 takes seconds); inserted parts are on disk. */
    synchronized void down() throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroyForcibly().waitFor();
        process = null;
    }

    /** Runs {@code sql} (with its FORMAT; POST, so DDL too) and gives the answer. */
    String query(String sql) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
                .POST(HttpRequest.BodyPublishers.ofString(sql)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("ClickHouse: " + r.body());
        }
        return r.body().strip();
    }

    @Override
    public void close() {
        try {
            down();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
