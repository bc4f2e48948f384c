package dev.budgateway.providers.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.ContentDisposition;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpHeaders;
import com.linecorp.armeria.common.HttpHeadersBuilder;
import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.multipart.BodyPart;
import com.linecorp.armeria.common.multipart.Multipart;
import com.linecorp.armeria.common.stream.StreamMessage;
import dev.budgateway.config.ProviderConfig;
import dev.budgateway.plugins.spi.ApiEndpoint;
import dev.budgateway.plugins.spi.Chunk;
import dev.budgateway.plugins.spi.ChunkStream;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.Json;
import dev.budgateway.plugins.spi.Response;
import dev.budgateway.plugins.spi.ResponseHead;
import dev.budgateway.plugins.spi.UploadedFile;
import dev.budgateway.providers.ProviderCall;
import dev.budgateway.providers.RequestBodies;
import dev.budgateway.providers.UpstreamErrors;
import dev.budgateway.providers.http.StreamTranslator;
import dev.budgateway.providers.http.UpstreamProtocol;
import dev.budgateway.providers.http.UpstreamRequests;
import dev.budgateway.providers.pool.UpstreamTarget;
import dev.budgateway.providers.sse.SseEvent;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * OpenAI's API, as OpenAI, Azure OpenAI, vLLM, SGLang, Together, Groq and the like speak it. The client's
 * body goes upstream as it was sent (unknown fields included), with {@code model} replaced and the
 * provider's {@code extra_body} applied; streams pass through event by event; uploads are re-sent from
 * disk part by part; speech audio is passed through as it arrives.
 */
public final class OpenAiProtocol implements UpstreamProtocol {

    private final String name;
    private final String modelName;
    private final BiFunction<String, ApiEndpoint, String> paths;
    private final Map<String, String> authHeaders;
    private final Map<String, String> extraHeaders;
    private final JsonNode extraBody;
    private final String secret;
    /** vLLM and SGLang continue the final assistant message when asked to; OpenAI's API cannot. */
    private final boolean continuesFinalMessage;

    /**
     * @param modelName the upstream's model name, or {@code null} to leave the client's (Azure ignores it)
     * @param paths the path and query for an endpoint, below a replica's base path
     * @param authHeaders the headers that carry the key (none for a keyless self-hosted server)
     * @param secret the key, scrubbed from upstream error messages; may be {@code null}
     */
    public OpenAiProtocol(ProviderConfig config, String modelName, BiFunction<String, ApiEndpoint, String> paths,
            Map<String, String> authHeaders, String secret) {
        this(config, modelName, paths, authHeaders, secret, false);
    }

    /** @param continuesFinalMessage whether the server takes {@code continue_final_message} (vLLM, SGLang) */
    public OpenAiProtocol(ProviderConfig config, String modelName, BiFunction<String, ApiEndpoint, String> paths,
            Map<String, String> authHeaders, String secret, boolean continuesFinalMessage) {
        this.continuesFinalMessage = continuesFinalMessage;
        this.name = config.name();
        this.modelName = modelName;
        this.paths = paths;
        this.authHeaders = Map.copyOf(authHeaders);
        this.extraHeaders = config.extraHeaders();
        this.extraBody = config.extraBody();
        this.secret = secret;
    }

    @Override
    public Mode mode(ProviderCall call) {
        if (call.endpoint() == ApiEndpoint.TEXT_TO_SPEECH) {
            return "sse".equals(call.body().path("stream_format").asText()) ? Mode.EVENTS : Mode.RAW;
        }
        return call.stream() && call.endpoint().canStream() ? Mode.EVENTS : Mode.UNARY;
    }

    @Override
    public HttpRequest request(ProviderCall call, UpstreamTarget target) {
        boolean events = mode(call) == Mode.EVENTS;
        boolean forceUsage = events && (call.endpoint() == ApiEndpoint.CHAT || call.endpoint() == ApiEndpoint.COMPLETIONS);
        if (call.untouched() != null && extraBody == null) {
            // Nobody changed the client's body: its bytes go, with the model name spliced in.
            return UpstreamRequests.of(headers(call, target, events).contentType(MediaType.JSON_UTF_8),
                    call.untouched().forUpstream(modelName, forceUsage));
        }
        ObjectNode body = RequestBodies.forUpstream(call.body(), modelName, extraBody);
        if (forceUsage) {
            // The gateway always wants usage (metrics, limits); the client gets it only if it asked.
            ObjectNode options = body.objectNode();
            if (call.body().get("stream_options") instanceof ObjectNode clientOptions) {
                options.setAll(clientOptions);
            }
            options.put("include_usage", true);
            body.set("stream_options", options);
        }
        RequestHeadersBuilder headers = headers(call, target, events);
        if (call.endpoint().isMultipart()) {
            return multipart(headers.build(), body, call);
        }
        headers.contentType(MediaType.JSON_UTF_8);
        return UpstreamRequests.of(headers, Json.bytes(body));
    }

    private RequestHeadersBuilder headers(ProviderCall call, UpstreamTarget target, boolean events) {
        RequestHeadersBuilder headers = RequestHeaders.builder(HttpMethod.POST, paths.apply(target.basePath(),
                call.endpoint()));
        authHeaders.forEach(headers::add);
        if (events) {
            headers.add(HttpHeaderNames.ACCEPT, "text/event-stream");
        }
        extraHeaders.forEach(headers::add);
        return headers;
    }

    /** The form again: text fields from the (rewritten) body, then each file streamed from disk. */
    private static HttpRequest multipart(RequestHeaders headers, ObjectNode body, ProviderCall call) {
        List<BodyPart> parts = new ArrayList<>();
        body.properties().forEach(e -> {
            JsonNode v = e.getValue();
            if (v.isArray()) {
                // Form arrays travel as repeated "name[]" fields (timestamp_granularities[] and the like).
                String field = e.getKey().endsWith("[]") ? e.getKey() : e.getKey() + "[]";
                v.forEach(item -> parts.add(BodyPart.of(ContentDisposition.of("form-data", field), item.asText())));
            } else if (!v.isNull()) {
                parts.add(BodyPart.of(ContentDisposition.of("form-data", e.getKey()), v.isTextual() ? v.asText()
                        : v.toString()));
            }
        });
        if (call.files() != null) {
            for (UploadedFile f : call.files().files()) {
                HttpHeadersBuilder partHeaders = HttpHeaders.builder().contentDisposition(ContentDisposition.of(
                        "form-data", f.field(), f.filename() == null ? f.field() : f.filename()));
                if (f.contentType() != null) {
                    partHeaders.set(HttpHeaderNames.CONTENT_TYPE, f.contentType());
                }
                parts.add(BodyPart.of(partHeaders.build(), StreamMessage.of(f.path())));
            }
        }
        return Multipart.of(parts).toHttpRequest(headers.toBuilder().removeAndThen(HttpHeaderNames.CONTENT_TYPE)
                .build());
    }

    /**
     * A success is checked before it goes to the client as one: JSON (transcripts may be text, srt or vtt),
     * a JSON object, and for chat, completions and embeddings the list the answer consists of. Anything
     * else (an HTML page from a proxy, a truncated or empty body, {@code {"error":...}} with 200) is a
     * failed attempt, so fallback and the circuit breaker see it as one.
     */
    @Override
    public Response unary(ProviderCall call, int status, String contentType, byte[] body) {
        if (contentType != null && !contentType.contains("json")) {
            boolean transcript = call.endpoint() == ApiEndpoint.AUDIO_TRANSCRIPTION
                    || call.endpoint() == ApiEndpoint.AUDIO_TRANSLATION;
            if (transcript && (contentType.startsWith("text/") || contentType.startsWith("application/x-subrip"))) {
                return new Response(ResponseHead.raw(status, contentType), ChunkStream.of(Chunk.bytes(body)));
            }
            throw new GatewayException(GatewayError.badGateway("Provider '" + name + "' answered with "
                    + MediaType.parse(contentType).withoutParameters() + ", not JSON"));
        }
        String list = switch (call.endpoint()) {
            case CHAT, COMPLETIONS -> "choices";
            case EMBEDDING -> "data";
            default -> null;
        };
        AnswerShape answer = AnswerShape.read(body, list); // no tree: a listener that reads one parses it then
        if (!answer.isObject()) {
            throw new GatewayException(GatewayError.badGateway("Provider '" + name + "' answered with "
                    + (body.length == 0 ? "an empty body" : "a body that is not a JSON object")));
        }
        if (list != null && !answer.hasList()) {
            if (answer.hasError()) {
                throw new GatewayException(UpstreamErrors.errorInSuccess(name, status, body, secret));
            }
            throw new GatewayException(GatewayError.badGateway("Provider '" + name + "' answered without '"
                    + list + "'"));
        }
        Chunk chunk = answer.usage() == null ? Chunk.unary(body) : Chunk.unary(body, answer.usage());
        return Response.unary(status, chunk);
    }

    @Override
    public StreamTranslator streamTranslator(ProviderCall call) {
        boolean chatLike = call.endpoint() == ApiEndpoint.CHAT || call.endpoint() == ApiEndpoint.COMPLETIONS;
        return new StreamTranslator() {
            private boolean finished;

            @Override
            public boolean passesPlainEvents() {
                return chatLike; // the others finish on their first event, so each is read
            }

            @Override
            public void onEvent(SseEvent event, Emitter out) {
                if (event.isDone()) {
                    out.finished();
                    return;
                }
                Chunk chunk = Chunk.event(event.event(), event.data());
                // The bytes tell whether a choice has finished: an event is parsed only if someone reads it.
                if (!finished && (!chatLike || (chunk.hasField("finish_reason") && hasFinishReason(chunk)))) {
                    // Chat streams are complete once a choice has finished; the others (Responses,
                    // transcriptions, images) have no common end marker, so any clean end counts.
                    finished = true;
                    out.finished();
                }
                out.chunk(chunk);
            }
        };
    }

    /** Whether a choice of this event has finished, read from its bytes in one pass, without a tree. */
    static boolean hasFinishReason(Chunk event) {
        try (JsonParser p = Json.MAPPER.getFactory().createParser(event.array(), event.offset(), event.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            boolean finished = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean choices = p.currentName().equals("choices");
                if (p.nextToken() == JsonToken.START_ARRAY && choices) {
                    finished = anyFinished(p); // a field given twice counts as its last value, as in a tree
                } else {
                    p.skipChildren();
                }
            }
            return finished;
        } catch (IOException | RuntimeException e) {
            return false; // not JSON: nothing has finished
        }
    }

    /** From a parser on a {@code choices} array's start to its end. */
    private static boolean anyFinished(JsonParser p) throws IOException {
        boolean finished = false;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t != JsonToken.START_OBJECT) {
                p.skipChildren();
                continue;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean reason = p.currentName().equals("finish_reason");
                JsonToken value = p.nextToken();
                if (reason) {
                    finished |= value != JsonToken.VALUE_NULL;
                }
                p.skipChildren();
            }
        }
        return finished;
    }

    @Override
    public GatewayError error(int status, byte[] body, String retryAfter) {
        return UpstreamErrors.fromStatus(name, status, body, retryAfter, secret);
    }

    @Override
    public ObjectNode continuation(ObjectNode chatBody, String partial) {
        if (!continuesFinalMessage) {
            return null;
        }
        ObjectNode body = dev.budgateway.providers.Continuations.withAssistantPrefill(chatBody, partial);
        body.put("continue_final_message", true);
        body.put("add_generation_prompt", false);
        return body;
    }
}
