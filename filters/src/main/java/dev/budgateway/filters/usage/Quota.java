package dev.budgateway.filters.usage;

import com.fasterxml.jackson.databind.JsonNode;
import dev.budgateway.filters.limits.Scope;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * A quota of the file, for standalone use: so many tokens, or so much cost, per calendar day or month (UTC), per
 * API key, user or project ({@code {id, scope, period, tokens, cost}}).
 *
 * @param tokens the tokens allowed per period, or {@code null}
 * @param cost the cost allowed per period (in the prices' currency), or {@code null}
 */
record Quota(String id, Scope scope, Period period, Long tokens, Double cost) {

    enum Period { DAY, MONTH }

    private static final Set<String> KEYS = Set.of("id", "scope", "period", "tokens", "cost");
    private static final Set<Scope> SCOPES = Set.of(Scope.API_KEY, Scope.USER, Scope.PROJECT);

    static Quota parse(JsonNode q) {
        if (!q.isObject()) {
            throw new IllegalArgumentException("expected a table");
        }
        q.fieldNames().forEachRemaining(k -> {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown key \"" + k + "\"");
            }
        });
        String id = q.path("id").asText("");
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id: every quota needs an id");
        }
        Scope scope = Scope.parse(q.path("scope").asText("user"));
        if (!SCOPES.contains(scope)) {
            throw new IllegalArgumentException("scope: a quota is per api_key, user or project");
        }
        Period period = switch (q.path("period").asText("month")) {
            case "day" -> Period.DAY;
            case "month" -> Period.MONTH;
            default -> throw new IllegalArgumentException("period: expected day or month");
        };
        Long tokens = q.has("tokens") ? q.get("tokens").asLong() : null;
        Double cost = q.has("cost") ? q.get("cost").asDouble() : null;
        if (tokens == null && cost == null) {
            throw new IllegalArgumentException(id + ": names neither tokens nor cost");
        }
        if ((tokens != null && tokens < 1) || (cost != null && !(cost > 0))) {
            throw new IllegalArgumentException(id + ": tokens and cost must be above zero");
        }
        return new Quota(id, scope, period, tokens, cost);
    }

    /** The period {@code now} is in ({@code 2026-12-02} or {@code 2026-12}) and when it ends. */
    String periodOf(Instant now) {
        LocalDate d = now.atZone(ZoneOffset.UTC).toLocalDate();
        return period == Period.DAY ? d.toString() : d.toString().substring(0, 7);
    }

    Instant periodEnd(Instant now) {
        LocalDate d = now.atZone(ZoneOffset.UTC).toLocalDate();
        LocalDate next = period == Period.DAY ? d.plusDays(1) : d.withDayOfMonth(1).plusMonths(1);
        return next.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    String describe() {
        StringBuilder b = new StringBuilder(id).append(" allows ");
        if (tokens != null) {
            b.append(tokens).append(" tokens");
        }
        if (cost != null) {
            b.append(tokens != null ? " and " : "").append(cost).append(" in cost");
        }
        return b.append(" per ").append(period == Period.DAY ? "day" : "month").append(" per ")
                .append(scope.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')).toString();
    }
}
