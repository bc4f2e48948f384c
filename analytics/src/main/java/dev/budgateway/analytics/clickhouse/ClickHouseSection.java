package dev.budgateway.analytics.clickhouse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.budgateway.config.ConfigReader;
import dev.budgateway.config.ConfigSection;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads {@code [clickhouse]}: {@code url} ({@code http[s]://[user[:password]@]host:port[/database]}, else
 * {@code TENSORZERO_CLICKHOUSE_URL}), {@code batch_rows}, {@code flush_interval_ms}, {@code queue_rows},
 * {@code ttl_days}, {@code spool_dir}, {@code spool_max_mb}.
 */
public final class ClickHouseSection implements ConfigSection<ClickHouseSettings> {

    public static final ClickHouseSection INSTANCE = new ClickHouseSection();
    public static final String URL_VARIABLE = "TENSORZERO_CLICKHOUSE_URL";
    private static final Set<String> KEYS = Set.of("url", "batch_rows", "flush_interval_ms", "queue_rows",
            "ttl_days", "spool_dir", "spool_max_mb");

    @Override
    public String name() {
        return "clickhouse";
    }

    @Override
    public ClickHouseSettings read(ObjectNode table, ConfigReader r, Function<String, String> env) {
        ClickHouseSettings d = ClickHouseSettings.NONE;
        String url = null;
        int batch = d.batchRows();
        long flush = d.flushIntervalMs();
        int queue = d.queueRows();
        int ttl = d.ttlDays();
        java.nio.file.Path spool = null;
        long spoolMax = d.spoolMaxBytes();
        String path = "clickhouse";
        if (table != null) {
            r.onlyKeys(table, path, KEYS);
            url = r.string(table, "url", path, false);
            Long v = r.longInRange(table, "batch_rows", path, 1, 100_000);
            batch = v == null ? batch : v.intValue();
            v = r.longInRange(table, "flush_interval_ms", path, 10, 60_000);
            flush = v == null ? flush : v;
            v = r.longInRange(table, "queue_rows", path, 1, 10_000_000);
            queue = v == null ? queue : v.intValue();
            v = r.longInRange(table, "ttl_days", path, 1, 36_500);
            ttl = v == null ? ttl : v.intValue();
            String dir = r.string(table, "spool_dir", path, false);
            spool = dir == null ? null : java.nio.file.Path.of(dir);
            v = r.longInRange(table, "spool_max_mb", path, 1, 1_048_576);
            spoolMax = v == null ? spoolMax : v << 20;
        }
        String where = url != null ? "clickhouse.url" : URL_VARIABLE;
        if (url == null) {
            url = env.apply(URL_VARIABLE);
        }
        // [gateway.analytics] enabled = false: no request rows; [gateway.observability] enabled = false: no
        // inference rows. Either is on when the file does not say.
        boolean requestRows = !Boolean.FALSE.equals(r.requestAnalytics());
        boolean inferenceRows = !Boolean.FALSE.equals(r.inferenceRows());
        if (url == null || url.isBlank()) {
            return new ClickHouseSettings(null, d.user(), d.password(), d.database(), batch, flush, queue, ttl, spool,
                    spoolMax, requestRows, inferenceRows);
        }
        try {
            URI u = new URI(url.strip());
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException();
            }
            String user = d.user();
            String password = d.password();
            if (u.getRawUserInfo() != null) {
                String[] parts = u.getRawUserInfo().split(":", 2);
                user = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
                password = parts.length > 1 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
            }
            String db = u.getPath() == null || u.getPath().length() <= 1 ? d.database() : u.getPath().substring(1);
            if (!db.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                r.problem(where, "the database (the URL's path) must be a plain name: letters, digits and _");
                return ClickHouseSettings.NONE;
            }
            URI endpoint = new URI(u.getScheme(), null, u.getHost(), u.getPort() < 0 ? 8123 : u.getPort(), null, null,
                    null);
            return new ClickHouseSettings(endpoint, user, password, db, batch, flush, queue, ttl, spool, spoolMax,
                    requestRows, inferenceRows);
        } catch (Exception e) {
            // The URL may hold a password: the message names the form, never the value.
            r.problem(where, "not a ClickHouse HTTP URL (expected http[s]://[user[:password]@]host[:port][/database])");
            return ClickHouseSettings.NONE;
        }
    }
}
