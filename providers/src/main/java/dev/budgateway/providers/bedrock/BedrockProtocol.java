package dev.budgateway.providers.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.http.ChatProtocol;
import dev.budgateway.providers.http.EventDecoder;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.pool.UpstreamTarget;
import dev.budgateway.providers.sse.SseEvent;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Bedrock's Converse API: {@code POST /model/{modelId}/converse} and {@code /converse-stream} (binary
 * event stream), each request signed with SigV4 for service {@code bedrock}.
 */
final class BedrockProtocol extends ChatProtocol {

    private final String modelId;
    private final SigV4Signer signer;
    private final SigV4Signer.Credentials credentials;
    private final Clock clock;
    private final String unaryPath;
    private final String streamPath;

    BedrockProtocol(ProviderConfig config, String modelId, String region, SigV4Signer.Credentials credentials,
            Clock clock) {
        super(config, "aws_bedrock");
        this.modelId = modelId;
        this.signer = new SigV4Signer(region, "bedrock");
        this.credentials = credentials;
        this.clock = clock;
        // AWS signs the path as it is on the wire, encoded once more. The HTTP client sends ':' unencoded
        // (anthropic.claude-3-haiku-20240307-v1:0), so the path is built that way to sign what is sent; '/' in
        // an inference profile ARN stays %2F.
        String model = "/model/" + SigV4Signer.encode(modelId).replace("%3A", ":");
        this.unaryPath = model + "/converse";
        this.streamPath = model + "/converse-stream";
    }

    @Override
    protected ObjectNode toUpstream(ProviderCall call) {
        return ChatToConverse.translate(call.body());
    }

    @Override
    protected RequestHeadersBuilder headers(ProviderCall call, UpstreamTarget target, byte[] payload) {
        String path = target.basePath() + (call.stream() ? streamPath : unaryPath);
        String authority = target.authority();
        ZonedDateTime now = ZonedDateTime.now(clock);
        String amzDate = SigV4Signer.AMZ_DATE.format(now);
        Map<String, String> signed = new LinkedHashMap<>();
        signed.put("host", authority);
        signed.put("content-type", "application/json");
        signed.put("x-amz-date", amzDate);
        if (credentials.sessionToken() != null) {
            signed.put("x-amz-security-token", credentials.sessionToken());
        }
        String authorization = signer.authorization("POST", SigV4Signer.canonicalUri(path), "", signed,
                SigV4Signer.sha256Hex(payload), credentials, now);
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, path)
                .authority(authority)
                .contentType(MediaType.JSON)
                .add("x-amz-date", amzDate)
                .add("authorization", authorization);
        if (credentials.sessionToken() != null) {
            headers.add("x-amz-security-token", credentials.sessionToken());
        }
        if (call.stream()) {
            headers.add("accept", "application/vnd.amazon.eventstream");
        }
        return headers;
    }

    @Override
    protected ObjectNode toChat(JsonNode answer) {
        return ConverseToChat.translate(answer, modelId, null);
    }

    @Override
    public String eventStreamType() {
        return "application/vnd.amazon.eventstream";
    }

    @Override
    public EventDecoder decoder(Consumer<SseEvent> sink) {
        return new EventStreamDecoder(sink);
    }

    @Override
    public StreamTranslator streamTranslator(ProviderCall call) {
        return new ConverseStreamToChat(name, modelId, null);
    }

    @Override
    public GatewayError error(int status, byte[] body, String retryAfter) {
        GatewayError e = UpstreamErrors.fromStatus(name, status, body, retryAfter, credentials.secretAccessKey());
        if (status >= 500) {
            return e;
        }
        // AWS says what went wrong in a header-less body {"message": "..."}; the status names the kind.
        String code = switch (status) {
            case 400 -> "validation_exception";
            case 403 -> "access_denied_exception";
            case 404 -> "resource_not_found_exception";
            case 429 -> "throttling_exception";
            default -> e.code();
        };
        return new GatewayError(e.status(), e.type(), code, e.message(), e.headers());
    }

    /** Prefill is native here: the model goes on from the assistant's last turn. */
    @Override
    public ObjectNode continuation(ObjectNode chatBody, String partial) {
        return dev.budgateway.providers.Continuations.withAssistantPrefill(chatBody, partial);
    }
}
