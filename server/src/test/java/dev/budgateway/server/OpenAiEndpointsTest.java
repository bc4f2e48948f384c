package dev.budgateway.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpResponseWriter;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.multipart.Multipart;
import com.linecorp.armeria.server.Server;
import com.openai.client.OpenAIClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.audio.speech.SpeechCreateParams;
import com.openai.models.audio.transcriptions.TranscriptionCreateParams;
import com.openai.models.images.ImageGenerateParams;
import com.openai.models.images.ImagesResponse;
import com.openai.models.moderations.ModerationCreateParams;
import com.openai.models.moderations.ModerationCreateResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import dev.budgateway.plugins.spi.Json;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rest of OpenAI's API through the gateway with the official SDK: images, moderations, the Responses
 * API (streamed events included), speech (audio streamed back), and audio uploads, which are streamed to
 * the upstream without being held in memory.
 */
class OpenAiEndpointsTest {

    static MockOpenAi upstream;
    static UploadUpstream uploads;
    static TestGateway gw;
    static OpenAIClient client;

    /** A real server that takes multipart uploads part by part: text fields kept, files drained. */
    static final class UploadUpstream implements AutoCloseable {
        final List<Map<String, String>> forms = new CopyOnWriteArrayList<>();
        volatile CompletableFuture<Void> received = new CompletableFuture<>();
        volatile CompletableFuture<Void> release = CompletableFuture.completedFuture(null);
        final Server server;

        UploadUpstream() {
            server = Server.builder().http(0).requestTimeoutMillis(0).maxRequestLength(0)
                    .service(com.linecorp.armeria.server.Route.builder().pathPrefix("/v1/").build(), (ctx, req) -> {
                        Map<String, String> form = new ConcurrentHashMap<>();
                        form.put(":path", req.path());
                        form.put(":content-type", String.valueOf(req.contentType()));
                        CompletableFuture<HttpResponse> out = new CompletableFuture<>();
                        Multipart.from(req).collect(part -> {
                            if (part.filename() == null) {
                                return part.aggregate().thenApply(p -> {
                                    form.put(part.name(), p.contentUtf8());
                                    return "";
                                });
                            }
                            form.put(part.name() + ":filename", part.filename());
                            // Counted without being kept: this upstream must not be what holds the bytes.
                            return part.content().map(HttpData::length).collect().thenApply(lengths -> {
                                form.put(part.name() + ":bytes", String.valueOf(lengths.stream()
                                        .mapToLong(Integer::longValue).sum()));
                                return "";
                            });
                        }).handle((parts, t) -> {
                            forms.add(form);
                            received.complete(null);
                            release.thenRun(() -> out.complete(HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
                                    "{\"text\":\"transcribed " + form.getOrDefault("language", "") + "\"}")));
                            return null;
                        });
                        return HttpResponse.of(out);
                    })
                    .build();
            server.start().join();
        }

        String apiBase() {
            return "http://127.0.0.1:" + server.activeLocalPort() + "/v1";
        }

        @Override
        public void close() {
            server.stop().join();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = new MockOpenAi();
        uploads = new UploadUpstream();
        gw = TestGateway.start("[gateway]\nbind_address = \"127.0.0.1:0\"\nplugins_dir = \"/nonexistent\"\n"
                + "max_upload_bytes = 26214400\n"
                + TestGateway.mockModel(upstream)
                + "[models.whisper]\nrouting = [\"up\"]\n[models.whisper.providers.up]\ntype = \"openai\"\n"
                + "api_base = \"" + uploads.apiBase() + "\"\nmodel_name = \"whisper-1\"\napi_key_location = \"none\"\n"
                + "[models.whisper-fallback]\nrouting = [\"broken\", \"up\"]\n"
                + "[models.whisper-fallback.providers.broken]\ntype = \"openai\"\napi_base = \"" + upstream.apiBase()
                + "\"\nmodel_name = \"whisper-1\"\napi_key_location = \"none\"\n"
                + "[models.whisper-fallback.providers.up]\ntype = \"openai\"\napi_base = \"" + uploads.apiBase()
                + "\"\nmodel_name = \"whisper-1\"\napi_key_location = \"none\"\n"
                + "[models.chat-only]\nrouting = [\"up\"]\nendpoints = [\"chat\"]\n[models.chat-only.providers.up]\n"
                + "type = \"openai\"\napi_base = \"" + upstream.apiBase() + "\"\nmodel_name = \"m\"\n"
                + "api_key_location = \"none\"\n");
        client = gw.sdk();
    }

    @AfterAll
    static void stop() {
        gw.close();
        upstream.close();
        uploads.close();
    }

    @BeforeEach
    void reset() {
        upstream.received.clear();
        uploads.forms.clear();
    }

    @Test
    void imageGenerationPassesThrough() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, "{\"created\":1700000000,\"data\":[{\"url\":"
                + "\"https://img.example/1.png\",\"revised_prompt\":\"a red fox\"}]}"));
        ImagesResponse images = client.images().generate(ImageGenerateParams.builder().model("mock")
                .prompt("a fox").n(1).size(ImageGenerateParams.Size._1024X1024).build());
        assertEquals("https://img.example/1.png", images.data().orElseThrow().get(0).url().orElseThrow());
        MockOpenAi.Received r = upstream.received.get(0);
        assertEquals("/v1/images/generations", r.path());
        assertEquals("mock-model", r.json().path("model").asText());
        assertEquals("1024x1024", r.json().path("size").asText());
    }

    @Test
    void moderationPassesThrough() {
        upstream.handle((ctx, r) -> MockOpenAi.json(200, "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\","
                + "\"results\":[{\"flagged\":true,\"categories\":{\"violence\":true},\"category_scores\":"
                + "{\"violence\":0.97}}]}"));
        ModerationCreateResponse m = client.moderations().create(ModerationCreateParams.builder().model("mock")
                .input("some text").build());
        assertTrue(m.results().get(0).flagged());
        assertEquals("/v1/moderations", upstream.received.get(0).path());
    }

    @Test
    void responsesApiUnaryAndStreamedEvents() {
        upstream.handle((ctx, r) -> r.json().path("stream").asBoolean() ? upstream.namedEvents(ctx, List.of(
                new String[] {"response.created", "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":"
                        + response("in_progress", "") + "}"},
                new String[] {"response.output_text.delta", "{\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":1,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"Hel\",\"logprobs\":[]}"},
                new String[] {"response.output_text.delta", "{\"type\":\"response.output_text.delta\","
                        + "\"sequence_number\":2,\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
                        + "\"delta\":\"lo\",\"logprobs\":[]}"},
                new String[] {"response.completed", "{\"type\":\"response.completed\",\"sequence_number\":3,"
                        + "\"response\":" + response("completed", "Hello") + "}"}), 0)
                : MockOpenAi.json(200, response("completed", "Hello")));
        Response unary = client.responses().create(ResponseCreateParams.builder().model("mock").input("Hi").build());
        assertEquals("Hello", unary.output().get(0).asMessage().content().get(0).asOutputText().text());
        assertEquals("/v1/responses", upstream.received.get(0).path());
        assertEquals("mock-model", upstream.received.get(0).json().path("model").asText());
        assertTrue(upstream.received.get(0).json().path("stream_options").isMissingNode(),
                "the Responses API takes no stream_options");

        List<ResponseStreamEvent> events = new ArrayList<>();
        try (StreamResponse<ResponseStreamEvent> s = client.responses().createStreaming(ResponseCreateParams.builder()
                .model("mock").input("Hi").build())) {
            s.stream().forEach(events::add);
        }
        assertEquals("Hello", events.stream().filter(ResponseStreamEvent::isOutputTextDelta)
                .map(e -> e.asOutputTextDelta().delta()).collect(Collectors.joining()));
        assertTrue(events.get(events.size() - 1).isCompleted());
    }

    private static String response(String status, String text) {
        return "{\"id\":\"resp_1\",\"object\":\"response\",\"created_at\":1700000000,\"status\":\"" + status + "\","
                + "\"model\":\"mock-model\",\"output\":[" + (text.isEmpty() ? "" : "{\"type\":\"message\",\"id\":"
                + "\"msg_1\",\"status\":\"completed\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\","
                + "\"text\":\"" + text + "\",\"annotations\":[]}]}") + "],\"parallel_tool_calls\":true,"
                + "\"tool_choice\":\"auto\",\"tools\":[],\"temperature\":1.0,\"top_p\":1.0,\"error\":null,"
                + "\"incomplete_details\":null,\"instructions\":null,\"metadata\":{}}";
    }

    @Test
    void speechAudioIsStreamedBackWithItsContentType() throws Exception {
        byte[] audio = new byte[200_000];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (byte) (i * 31);
        }
        upstream.handle((ctx, r) -> {
            HttpResponseWriter w = HttpResponse.streaming();
            w.write(ResponseHeaders.of(HttpStatus.OK, "content-type", "audio/mpeg"));
            for (int i = 0; i < audio.length; i += 16_384) {
                w.write(HttpData.wrap(java.util.Arrays.copyOfRange(audio, i, Math.min(audio.length, i + 16_384))));
            }
            w.close();
            return w;
        });
        try (var speech = client.audio().speech().create(SpeechCreateParams.builder().model("mock").input("Hello")
                .voice("alloy").build())) {
            assertEquals("audio/mpeg", speech.headers().values("content-type").get(0));
            assertArrayEquals(audio, speech.body().readAllBytes());
        }
        assertEquals("/v1/audio/speech", upstream.received.get(0).path());
        assertEquals("alloy", upstream.received.get(0).json().path("voice").asText());
    }

    @Test
    void transcriptionUploadIsResentToTheUpstreamWithItsFields() throws Exception {
        byte[] wav = "RIFF....WAVEfmt fake audio bytes".getBytes(StandardCharsets.US_ASCII);
        var result = client.audio().transcriptions().create(TranscriptionCreateParams.builder().model("whisper")
                .file(wav).language("de").build());
        assertEquals("transcribed de", result.asTranscription().text());
        Map<String, String> form = uploads.forms.get(0);
        assertEquals("whisper-1", form.get("model"), "model is replaced by the provider's model_name");
        assertEquals("de", form.get("language"));
        assertTrue(form.get(":content-type").startsWith("multipart/form-data"), form.toString());
        assertTrue(form.containsKey("file:filename"), form.toString());
        assertEquals(String.valueOf(wav.length), form.get("file:bytes"));
    }

    @Test
    void uploadsThatAreNotFormsOrLackAModelAre400() throws Exception {
        var json = gw.post("/v1/audio/transcriptions", "{\"model\":\"whisper\"}");
        assertEquals(400, json.statusCode());
        assertEquals("invalid_content_type", Json.parse(json.body().getBytes(StandardCharsets.UTF_8)).path("error")
                .path("code").asText());
        BadRequestException noModel = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class,
                () -> client.audio().transcriptions().create(TranscriptionCreateParams.builder().model("")
                        .file(new byte[] {1, 2, 3}).build()));
        assertTrue(noModel.getMessage().contains("model"), noModel.getMessage());
        assertTrue(uploads.forms.isEmpty());
    }

    @Test
    void anUploadIsSentAgainFromDiskOnTheFallbackAttempt() throws Exception {
        upstream.handle((ctx, r) -> MockOpenAi.json(500, "{\"error\":{\"message\":\"down\"}}"));
        byte[] audio = new byte[100_000];
        new java.util.Random(3).nextBytes(audio);
        var result = client.audio().transcriptions().create(TranscriptionCreateParams.builder()
                .model("whisper-fallback").file(audio).language("fr").build());
        assertEquals("transcribed fr", result.asTranscription().text());
        assertEquals(1, upstream.received.size(), "the first provider got the upload and failed");
        assertTrue(upstream.received.get(0).body().length > 100_000);
        assertEquals("100000", uploads.forms.get(0).get("file:bytes"), "the second got the whole file again");
    }

    @Test
    void aTwentyMegabyteUploadIsNotHeldInTheHeap() throws Exception {
        Path file = Files.createTempFile("upload-test", ".wav");
        try {
            byte[] block = new byte[1 << 20];
            new java.util.Random(7).nextBytes(block);
            try (var out = Files.newOutputStream(file)) {
                for (int i = 0; i < 20; i++) {
                    out.write(block);
                }
            }
            uploads.received = new CompletableFuture<>();
            uploads.release = new CompletableFuture<>();
            long before = usedHeapAfterGc();
            CompletableFuture<java.net.http.HttpResponse<String>> call = gw.http().sendAsync(multipart(file,
                    "whisper"), java.net.http.HttpResponse.BodyHandlers.ofString());
            // The upstream has the whole file and the gateway still has the request open: measure now.
            uploads.received.get(60, TimeUnit.SECONDS);
            long during = usedHeapAfterGc();
            uploads.release.complete(null);
            java.net.http.HttpResponse<String> response = call.get(60, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            assertEquals(0, spooledFiles(), "the spooled upload is deleted when the request is over");
            long growth = during - before;
            System.out.printf("20 MiB upload: heap after GC grew by %.1f MiB while in flight%n", growth / 1048576.0);
            assertTrue(growth < 5L * 1024 * 1024, "heap grew by " + growth + " bytes");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aThirtyMegabyteUploadIs413BeforeTheUpstreamIsCalled() throws Exception {
        Path file = Files.createTempFile("upload-test", ".wav");
        try {
            try (var out = Files.newOutputStream(file)) {
                byte[] block = new byte[1 << 20];
                for (int i = 0; i < 30; i++) {
                    out.write(block);
                }
            }
            java.net.http.HttpResponse<String> response = gw.http().send(multipart(file, "whisper"),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(413, response.statusCode());
            JsonNode error = Json.parse(response.body().getBytes(StandardCharsets.UTF_8)).path("error");
            assertEquals("invalid_request_error", error.path("type").asText());
            assertTrue(uploads.forms.isEmpty(), "the upstream was never called");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aModelCalledOnAnEndpointItDoesNotServeIs400NamingBoth() {
        BadRequestException e = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class,
                () -> client.images().generate(ImageGenerateParams.builder().model("chat-only").prompt("x").build()));
        assertTrue(e.getMessage().contains("chat-only"), e.getMessage());
        assertTrue(e.getMessage().contains("image_generation"), e.getMessage());
        assertTrue(upstream.received.isEmpty());
    }

    /** A multipart request whose file part is streamed from disk. */
    private static HttpRequest multipart(Path file, String model) throws Exception {
        String boundary = "----budgateway" + System.nanoTime();
        String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model + "\r\n"
                + "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
                + "Content-Type: audio/wav\r\n\r\n";
        String tail = "\r\n--" + boundary + "--\r\n";
        return HttpRequest.newBuilder(URI.create(gw.baseUrl + "/v1/audio/transcriptions"))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(
                        HttpRequest.BodyPublishers.ofByteArray(head.getBytes(StandardCharsets.UTF_8)),
                        HttpRequest.BodyPublishers.ofFile(file),
                        HttpRequest.BodyPublishers.ofByteArray(tail.getBytes(StandardCharsets.UTF_8))))
                .build();
    }

    private static long spooledFiles() throws Exception {
        for (int i = 0; i < 50; i++) {
            try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
                if (files.noneMatch(p -> p.getFileName().toString().startsWith("budgateway-upload-"))) {
                    return 0;
                }
            }
            Thread.sleep(20);
        }
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("budgateway-upload-")).count();
        }
    }

    @Test
    void imageEditsAreMultipartWithTheImageResent() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13};
        var edited = client.images().edit(com.openai.models.images.ImageEditParams.builder().model("whisper")
                .image(png).prompt("add a hat").build());
        assertTrue(edited.data().isEmpty() || edited.data().isPresent());
        Map<String, String> form = uploads.forms.get(0);
        assertEquals("/v1/images/edits", form.get(":path"));
        assertEquals("add a hat", form.get("prompt"));
        assertEquals("whisper-1", form.get("model"));
        assertTrue(form.containsKey("image:filename"), form.toString());
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        var memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
