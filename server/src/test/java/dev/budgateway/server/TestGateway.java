package dev.budgateway.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.budgateway.config.ConfigLoader;
import dev.budgateway.plugins.spi.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** A gateway started for a test on a free loopback port, with clients pointed at it. */
final class TestGateway implements AutoCloseable {

    final Gateway gateway;
    final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    TestGateway(Gateway gateway) {
        this.gateway = gateway;
        this.baseUrl = "http://127.0.0.1:" + gateway.port();
    }

    /** Starts a gateway from TOML; {@code [gateway]} gets a loopback bind address if it has none. */
    static TestGateway start(String toml, Map<String, String> env) throws ConfigException {
        // No grace period on close: the next test must not meet this gateway's requests still finishing.
        String config = toml.contains("bind_address") ? toml : "[gateway]\nbind_address = \"127.0.0.1:0\"\n"
                + "plugins_dir = \"/nonexistent\"\nshutdown_grace_period_ms = 0\n" + toml;
        return new TestGateway(Gateway.start(ConfigLoader.parse(config, env::get), env::get));
    }

    /** A response body as JSON; a test fails with the text when it is none. */
    static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return dev.budgateway.plugins.spi.Json.parse(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    static TestGateway start(String toml) throws ConfigException {
        return start(toml, Map.of());
    }

    /** A model {@code mock} served by the given upstream. */
    static String mockModel(MockOpenAi upstream) {
        return "[models.mock]\nrouting = [\"up\"]\n[models.mock.providers.up]\ntype = \"openai\"\napi_base = \""
                + upstream.apiBase() + "\"\nmodel_name = \"mock-model\"\napi_key_location = \"none\"\n";
    }

    /**
     * A {@code get_weather(location, unit)} tool as clients declare it, with the {@code additionalProperties}
     * that some providers' schema dialects reject.
     */
    static com.openai.models.chat.completions.ChatCompletionFunctionTool weatherTool() {
        return com.openai.models.chat.completions.ChatCompletionFunctionTool.builder().function(
                com.openai.models.FunctionDefinition.builder().name("get_weather").description("Weather for a place")
                        .parameters(com.openai.models.FunctionParameters.builder()
                                .putAdditionalProperty("type", com.openai.core.JsonValue.from("object"))
                                .putAdditionalProperty("properties", com.openai.core.JsonValue.from(Map.of(
                                        "location", Map.of("type", "string"), "unit", Map.of("type", "string"))))
                                .putAdditionalProperty("additionalProperties", com.openai.core.JsonValue.from(false))
                                .build())
                        .build())
                .build();
    }

    OpenAIClient sdk() {
        return OpenAIOkHttpClient.builder()
                .apiKey("client-key-never-forwarded")
                .baseUrl(baseUrl + "/v1")
                .maxRetries(0)
                .timeout(Duration.ofSeconds(20))
                .build();
    }

    HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(20))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A chat request sent on a raw socket with a small receive buffer, for clients that read slowly, not
     * at all, or leave; the caller reads the answer and closes the socket.
     *
     * @param headers names and values, alternating
     */
    java.net.Socket postSlowReader(String body, String... headers) throws java.io.IOException {
        StringBuilder extra = new StringBuilder();
        for (int i = 0; i < headers.length; i += 2) {
            extra.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        java.net.Socket socket = new java.net.Socket();
        socket.setReceiveBufferSize(64 * 1024);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
        java.io.OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                + extra + "content-length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                + "\r\nconnection: close\r\n\r\n" + body).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        out.flush();
        return socket;
    }

    HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        // Tests do not wait for the server's shutdown quiet period: the next test has its own gateway.
        gateway.closeAsync();
    }

    /** Stops the gateway and waits until everything it held (filters, sinks, their files) is released. */
    void stopAndWait() {
        gateway.closeAsync().join();
    }
}
