package dev.budgateway.filters.auth;

import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Exchange;
import dev.budgateway.plugins.spi.FilterResult;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.Identity;
import dev.budgateway.plugins.spi.Keys;
import java.util.HashMap;
import java.util.Map;

/**
 * Keys budapp published: the grant of the requested name gives the endpoint it resolves to
 * ({@link Keys#RESOLVED_MODEL}) and the ids of the key, user, project and prompt ({@link Keys#IDENTITY}).
 */
final class ControlPlaneSource implements CredentialSource {

    private final ControlPlaneKeys keys;

    ControlPlaneSource(ControlPlaneKeys keys) {
        this.keys = keys;
    }

    @Override
    public FilterResult authenticate(String credential, Exchange exchange) {
        ApiKeyRecord record = keys.find(credential);
        if (record == null) {
            return null;
        }
        String model = Decisions.modelToCheck(exchange);
        ApiKeyRecord.Grant grant = null;
        if (model != null) {
            grant = keys.grant(record, credential, model);
            if (grant == null) {
                return Decisions.notGranted(model);
            }
            exchange.put(Keys.RESOLVED_MODEL, grant.endpointId());
        } else if (exchange.endpoint() != ApiEndpoint.MODELS) {
            // A request by prompt instead of model (the Responses API's "prompt": {"id": ...}) is granted as
            // "prompt:<id>", as the Rust gateway does; the prompt's endpoint serves it.
            String prompt = exchange.body().path("prompt").path("id").asText(null);
            if (prompt != null) {
                grant = keys.grant(record, credential, "prompt:" + prompt);
                if (grant == null) {
                    return FilterResult.reject(GatewayError.notFound("model_not_found", "Prompt not found: "
                            + prompt));
                }
                exchange.put(Keys.MODEL, "prompt:" + prompt);
                exchange.put(Keys.RESOLVED_MODEL, grant.endpointId());
            }
        }
        exchange.put(Keys.IDENTITY, identity(record, grant));
        exchange.put(Keys.MODEL_GRANTS, keys.grants(record, credential));
        return FilterResult.CONTINUE;
    }

    private static Identity identity(ApiKeyRecord record, ApiKeyRecord.Grant grant) {
        Map<String, String> attributes = new HashMap<>(8);
        String project = record.projectId();
        if (grant != null) {
            attributes.put("endpoint_id", grant.endpointId());
            putIfSet(attributes, "model_id", grant.modelId());
            putIfSet(attributes, "prompt_id", grant.promptId());
            putIfSet(attributes, "prompt_version_id", grant.promptVersionId());
            putIfSet(attributes, "prompt_version", grant.version());
            if (grant.projectId() != null) {
                project = grant.projectId();
            }
        }
        putIfSet(attributes, "api_key_project_id", record.projectId());
        return new Identity("api_key", record.apiKeyId(), record.userId(), project, attributes);
    }

    private static void putIfSet(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
