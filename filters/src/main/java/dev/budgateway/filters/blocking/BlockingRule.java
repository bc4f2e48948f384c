package dev.budgateway.filters.blocking;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One blocking rule as budapp writes it into {@code blocking_rules:global} (or {@code blocking_rules:endpoint:<id>}),
 * or as the file declares it: {@code {id, rule_type, name, priority, status, config, action, expires_at}}.
 *
 * @param scopeEndpoint the endpoint id a {@code blocking_rules:endpoint:<id>} rule is limited to, or {@code null}
 */
record BlockingRule(String id, Type type, String name, int priority, boolean active, Instant expiresAt,
        boolean logOnly, List<String> ips, Set<String> countries, List<Pattern> agents, Set<Long> asns,
        long threshold, long windowSeconds, Set<String> endpoints, Set<String> models, Set<String> projects,
        String scopeEndpoint, dev.budgateway.filters.clientinfo.IpRanges ipSet) {

    enum Type { IP_BLOCKING, COUNTRY_BLOCKING, USER_AGENT_BLOCKING, RATE_BASED_BLOCKING, ASN_BLOCKING }

    boolean scoped() {
        return scopeEndpoint != null || !endpoints.isEmpty() || !models.isEmpty() || !projects.isEmpty();
    }

    boolean liveAt(Instant now) {
        return active && (expiresAt == null || now.isBefore(expiresAt));
    }

    /**
     * Reads one rule.
     *
     * @throws IllegalArgumentException saying what is wrong (never quoting a pattern or an address list whole)
     */
    static BlockingRule parse(JsonNode r, String scopeEndpoint) {
        String id = text(r, "id");
        String name = text(r, "name");
        if (id == null) {
            throw new IllegalArgumentException("a rule without an id");
        }
        Type type;
        try {
            type = Type.valueOf(String.valueOf(text(r, "rule_type")).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("rule " + id + ": unknown rule_type");
        }
        String status = text(r, "status");
        boolean active = status == null || status.equalsIgnoreCase("active");
        String action = text(r, "action");
        boolean logOnly = action != null && (action.equalsIgnoreCase("log") || action.equalsIgnoreCase("monitor"));
        Instant expires = null;
        String exp = text(r, "expires_at");
        if (exp != null) {
            try {
                expires = exp.endsWith("Z") || exp.matches(".*[+-]\\d\\d:\\d\\d$") ? OffsetDateTime.parse(exp).toInstant()
                        : java.time.LocalDateTime.parse(exp).toInstant(java.time.ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("rule " + id + ": expires_at is not an ISO date-time");
            }
        }
        JsonNode c = r.path("config");
        List<String> ips = new ArrayList<>(strings(c, "ip_addresses"));
        ips.addAll(strings(c, "ips"));
        ips.addAll(strings(c, "cidrs"));
        Set<String> countries = new HashSet<>();
        for (String code : concat(strings(c, "countries"), strings(c, "country_codes"))) {
            countries.add(code.strip().toUpperCase(Locale.ROOT));
        }
        List<Pattern> agents = new ArrayList<>();
        for (String p : strings(c, "patterns")) {
            agents.add(agentPattern(p, id));
        }
        Set<Long> asns = new HashSet<>();
        for (JsonNode a : c.path("asns")) {
            String t = a.asText().toUpperCase(Locale.ROOT).replace("AS", "");
            try {
                asns.add(Long.parseLong(t.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("rule " + id + ": asns holds something that is not an AS number");
            }
        }
        long threshold = c.has("threshold") ? c.path("threshold").asLong(100)
                : c.path("requests_per_minute").asLong(100);
        long window = c.has("window_seconds") ? c.path("window_seconds").asLong(60)
                : c.has("window_minutes") ? c.path("window_minutes").asLong(1) * 60 : 60;
        if (type == Type.RATE_BASED_BLOCKING && (threshold < 1 || window < 1)) {
            throw new IllegalArgumentException("rule " + id + ": threshold and window must be positive");
        }
        return new BlockingRule(id, type, name == null ? id : name, r.path("priority").asInt(0), active, expires,
                logOnly, List.copyOf(ips), Set.copyOf(countries), List.copyOf(agents), Set.copyOf(asns), threshold,
                window, Set.copyOf(strings(c, "endpoints")), Set.copyOf(strings(c, "models")),
                Set.copyOf(strings(c, "projects")), scopeEndpoint, dev.budgateway.filters.clientinfo.IpRanges.of(ips));
    }

    /** {@code /re/}: a case-insensitive regex; with {@code *}: a glob; else a case-insensitive substring. */
    static Pattern agentPattern(String p, String id) {
        try {
            if (p.length() >= 2 && p.startsWith("/") && p.endsWith("/")) {
                return Pattern.compile(p.substring(1, p.length() - 1), Pattern.CASE_INSENSITIVE);
            }
            if (p.contains("*")) {
                StringBuilder re = new StringBuilder("^");
                for (String part : p.split("\\*", -1)) {
                    re.append(Pattern.quote(part)).append(".*");
                }
                re.setLength(re.length() - 2);
                return Pattern.compile(re.append('$').toString(), Pattern.CASE_INSENSITIVE);
            }
            return Pattern.compile(Pattern.quote(p), Pattern.CASE_INSENSITIVE);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("rule " + id + ": a pattern is not a valid regular expression");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    private static List<String> strings(JsonNode node, String field) {
        List<String> out = new ArrayList<>();
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
        } else {
            v.forEach(x -> out.add(x.asText()));
        }
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
