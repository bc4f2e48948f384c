package dev.budgateway.providers.bedrock;

import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.ConfigProblem;
import dev.budgateway.providers.Provider;
import dev.budgateway.providers.ProviderContext;
import dev.budgateway.providers.ProviderType;
import dev.budgateway.providers.UpstreamUrls;
import dev.budgateway.providers.http.HttpProvider;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code aws_bedrock}: models on Amazon Bedrock through the Converse API. The model is {@code model_id}
 * (or {@code model_name}); the region is {@code region}, else {@code AWS_REGION} or
 * {@code AWS_DEFAULT_REGION}; credentials come from {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}
 * and, for temporary ones, {@code AWS_SESSION_TOKEN}. {@code api_base} overrides the regional endpoint
 * (a VPC endpoint, a test server).
 */
public final class BedrockType implements ProviderType {

    @Override
    public String name() {
        return "aws_bedrock";
    }

    @Override
    public Set<ApiEndpoint> defaultEndpoints() {
        return Set.of(ApiEndpoint.CHAT);
    }

    @Override
    public Set<String> optionKeys() {
        return Set.of("model_id", "region");
    }

    @Override
    public Provider create(ProviderConfig config, String apiKey, ProviderContext context, List<ConfigProblem> problems) {
        int before = problems.size();
        String modelId = config.option("model_id") != null ? config.option("model_id") : config.modelName();
        if (modelId == null) {
            problems.add(new ConfigProblem(config.path() + ".model_id", "missing required key for type \"aws_bedrock\""));
        }
        String region = firstOf(config.option("region"), context.env().apply("AWS_REGION"), context.env().apply("AWS_DEFAULT_REGION"));
        if (region == null) {
            problems.add(new ConfigProblem(config.path() + ".region", "missing: set region here or AWS_REGION in the "
                    + "environment"));
        }
        String accessKey = context.env().apply("AWS_ACCESS_KEY_ID");
        String secretKey = context.env().apply("AWS_SECRET_ACCESS_KEY");
        if (blank(accessKey) || blank(secretKey)) {
            problems.add(new ConfigProblem(config.path(), "AWS credentials are not set: AWS_ACCESS_KEY_ID and "
                    + "AWS_SECRET_ACCESS_KEY must be in the environment"));
        }
        if (problems.size() > before) {
            return null;
        }
        String base = config.apiBase() != null ? config.apiBase() : "https://bedrock-runtime." + region
                + ".amazonaws.com";
        URI uri = UpstreamUrls.parse(base, config.path() + ".api_base", problems);
        if (uri == null) {
            return null;
        }
        String token = context.env().apply("AWS_SESSION_TOKEN");
        SigV4Signer.Credentials credentials = new SigV4Signer.Credentials(accessKey.strip(), secretKey.strip(),
                blank(token) ? null : token.strip());
        BedrockProtocol protocol = new BedrockProtocol(config, modelId, region, credentials, Clock.systemUTC());
        return HttpProvider.create(config, protocol, uri, context, problems);
    }

    private static String firstOf(String... values) {
        for (String v : values) {
            if (!blank(v)) {
                return v.strip();
            }
        }
        return null;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public ProviderConfig shorthand(String model) {
        return null;
    }
}
