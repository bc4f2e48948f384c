package dev.budgateway.filters.usage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A user's quota as budapp writes it to {@code usage_limit:<user_id>}: {@code {user_id, user_type, allowed, status,
 * tokens_quota, tokens_used, cost_quota, cost_used, update_id, reason, reset_at, ...}}.
 *
 * @param tokensQuota {@code null} when tokens are not limited
 * @param costQuota {@code null} when cost is not limited
 */
record UsageRecord(boolean admin, boolean allowed, String reason, Long tokensQuota, long tokensUsed, Double costQuota,
        double costUsed) {

    static final String PREFIX = "usage_limit:";
    static final String CLEAR_PREFIX = "usage_limit_clear:";

    static UsageRecord parse(JsonNode r) {
        if (!r.isObject()) {
            throw new IllegalArgumentException("expected an object");
        }
        JsonNode tq = r.path("tokens_quota");
        JsonNode cq = r.path("cost_quota");
        return new UsageRecord("admin".equals(r.path("user_type").asText()), r.path("allowed").asBoolean(true),
                r.path("reason").isTextual() ? r.path("reason").asText() : null,
                tq.isNumber() ? tq.asLong() : null, r.path("tokens_used").asLong(0),
                cq.isNumber() ? cq.asDouble() : null, r.path("cost_used").asDouble(0));
    }

    /** Why this record refuses a request by itself (without reservations), or {@code null}. */
    String refusal() {
        if (admin) {
            return null;
        }
        if (!allowed) {
            return reason == null || reason.isEmpty() ? "usage not allowed" : reason;
        }
        if (tokensQuota != null && tokensUsed >= tokensQuota) {
            return "token quota reached";
        }
        if (costQuota != null && costUsed >= costQuota) {
            return "cost quota reached";
        }
        return null;
    }

    boolean limited() {
        return !admin && (tokensQuota != null || costQuota != null);
    }
}
