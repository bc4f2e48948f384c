package dev.budgateway.analytics.clickhouse;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * ClickHouse's HTTP interface, the one way that works with every server version (Debian's 18.16 included, see
 * {@code components.md}): SQL in the body, inserts as {@code JSONEachRow} with the columns named, reads as
 * {@code FORMAT JSONEachRow}. Blocking calls, made from the writer's own thread.
 */
final class ClickHouseHttp {

    /** A failure to reach the server or a refusal by it; the message never holds the password. */
    static final class Failure extends IOException {
        Failure(String message) {
            super(message);
        }
    }

    private final ClickHouseSettings settings;
    private final HttpClient client;
    private final Duration timeout;

    ClickHouseHttp(ClickHouseSettings settings, Duration timeout) {
        this.settings = settings;
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /** Runs a statement (DDL, or a query with its {@code FORMAT}); its answer's body. */
    String execute(String sql, String database) throws IOException, InterruptedException {
        return post(uri(null, database), sql.getBytes(StandardCharsets.UTF_8));
    }

    /** Inserts NDJSON rows into {@code table} with {@code columns} named, so defaults apply to the others. */
    void insert(String table, String columns, byte[] rows) throws IOException, InterruptedException {
        post(uri("INSERT INTO " + table + " (" + columns + ") FORMAT JSONEachRow", settings.database()), rows);
    }

    /** The server's version, {@code major.minor}. */
    double version() throws IOException, InterruptedException {
        String v = execute("SELECT version()", "default").strip();
        String[] parts = v.split("\\.");
        return Double.parseDouble(parts[0] + "." + (parts.length > 1 ? parts[1] : "0"));
    }

    private URI uri(String query, String database) {
        StringBuilder q = new StringBuilder("?database=").append(enc(database));
        if (query != null) {
            q.append("&query=").append(enc(query));
        }
        return URI.create(settings.endpoint() + "/" + q);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private String post(URI uri, byte[] body) throws IOException, InterruptedException {
        // Basic authentication: what every server version takes (18.16 included), and never in the URL.
        String credentials = java.util.Base64.getEncoder().encodeToString((settings.user() + ":" + settings.password())
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Basic " + credentials)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new Failure("ClickHouse at " + settings.endpoint() + " cannot be reached: " + e.getClass()
                    .getSimpleName());
        }
        if (r.statusCode() != 200) {
            String text = r.body().strip();
            throw new Failure("ClickHouse answered " + r.statusCode() + ": "
                    + (text.length() > 300 ? text.substring(0, 300) + "..." : text));
        }
        return r.body();
    }
}
