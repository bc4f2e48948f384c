package dev.budgateway.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.multipart.BodyPart;
import com.linecorp.armeria.common.multipart.Multipart;
import dev.budgateway.plugins.spi.GatewayError;
import dev.budgateway.plugins.spi.GatewayException;
import dev.budgateway.plugins.spi.UploadedFile;
import dev.budgateway.plugins.spi.UploadedFiles;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Reads a {@code multipart/form-data} request part by part: text fields into a JSON object (the body the
 * chain and filters see), files straight to temporary files, so a 25 MB upload never sits in the heap.
 * The files are deleted by {@link Upload#close()} when the request is over.
 */
final class UploadReader {

    /** Text fields are small (model, language, prompt); a bigger one is not a text field. */
    private static final int MAX_FIELD_BYTES = 256 * 1024;
    /** The form fields that carry files in OpenAI's API. */
    private static final java.util.Set<String> FILE_FIELDS = java.util.Set.of("file", "image", "image[]", "mask");

    /** What a form held. */
    record Upload(ObjectNode fields, UploadedFiles files) implements AutoCloseable {
        @Override
        public void close() {
            for (UploadedFile f : files.files()) {
                delete(f.path());
            }
        }
    }

    private UploadReader() {}

    private static void delete(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // The temp directory is the OS's to clean up.
        }
    }

    static CompletableFuture<Upload> read(HttpRequest req, EventExecutor loop) {
        MediaType type = req.contentType();
        if (type == null || !type.is(MediaType.MULTIPART_FORM_DATA)) {
            req.abort();
            return CompletableFuture.failedFuture(new GatewayException(GatewayError.badRequest("invalid_content_type",
                    "This endpoint takes multipart/form-data")));
        }
        CompletableFuture<Upload> out = new CompletableFuture<>();
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        List<UploadedFile> files = new ArrayList<>();
        Multipart.from(req).bodyParts().subscribe(new Subscriber<BodyPart>() {
            private Subscription subscription;
            /** The part being read; the form is complete only when it is (onComplete needs no demand). */
            private CompletableFuture<Void> current = CompletableFuture.completedFuture(null);
            /** Every temporary file made, so a failed form leaves none behind, whatever part failed when. */
            private final List<Path> created = new ArrayList<>();
            /** The form failed: files made or finished from now on are deleted at once. */
            private boolean failed;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                s.request(1);
            }

            @Override
            public void onNext(BodyPart part) {
                if (failed) {
                    part.content().abort();
                    return;
                }
                String name = part.name();
                String filename = part.filename();
                CompletableFuture<Void> done;
                if (name == null) {
                    done = part.content().subscribe().thenApply(unused -> null);
                } else if (isFile(part, name, filename)) {
                    done = spool(part, name, filename);
                } else {
                    done = part.aggregate().thenAccept(p -> field(name, p.contentUtf8()));
                }
                current = done;
                // Back on the loop: file writes complete on a blocking thread.
                done.whenCompleteAsync((unused, failure) -> {
                    if (failure != null) {
                        subscription.cancel();
                        fail(failure);
                    } else if (!failed) {
                        subscription.request(1);
                    }
                }, loop);
            }

            /**
             * Clients do not always name the file (the OpenAI SDKs send bytes without one), so the fields
             * OpenAI defines as files, and parts that are not text, are files too.
             */
            private boolean isFile(BodyPart part, String name, String filename) {
                if (filename != null || FILE_FIELDS.contains(name)) {
                    return true;
                }
                MediaType type = part.headers().contentType();
                return type != null && !type.is(MediaType.ANY_TEXT_TYPE);
            }

            private CompletableFuture<Void> spool(BodyPart part, String name, String filename) {
                Path path;
                try {
                    path = Files.createTempFile("budgateway-upload-", ".part");
                } catch (IOException e) {
                    part.content().abort();
                    return CompletableFuture.failedFuture(e);
                }
                created.add(path);
                MediaType partType = part.headers().contentType();
                return part.writeTo(path).thenRunAsync(() -> {
                    if (failed) {
                        delete(path); // the form failed while this part was being written
                        return;
                    }
                    long size;
                    try {
                        size = Files.size(path);
                    } catch (IOException e) {
                        size = -1;
                    }
                    files.add(new UploadedFile(name, filename, partType == null ? null : partType.toString(), path,
                            size));
                }, loop);
            }

            private void field(String name, String value) {
                if (value.length() > MAX_FIELD_BYTES) {
                    throw new GatewayException(GatewayError.badRequest("invalid_request_body", "Form field '" + name
                            + "' is too large for a text field"));
                }
                if (name.endsWith("[]")) {
                    String key = name.substring(0, name.length() - 2);
                    ArrayNode array = fields.get(key) instanceof ArrayNode a ? a : fields.putArray(key);
                    array.add(value);
                } else if ("stream".equals(name)) {
                    fields.put(name, Boolean.parseBoolean(value.strip()));
                } else {
                    fields.put(name, value);
                }
            }

            private void fail(Throwable failure) {
                if (failed || !out.completeExceptionally(failure)) {
                    return;
                }
                failed = true;
                created.forEach(UploadReader::delete);
                // A part still being written may hold its file open: delete it again once it is done.
                current.whenCompleteAsync((unused, f) -> created.forEach(UploadReader::delete), loop);
            }

            @Override
            public void onError(Throwable t) {
                fail(t);
            }

            @Override
            public void onComplete() {
                current.whenCompleteAsync((unused, failure) -> {
                    if (failure == null && !failed) {
                        out.complete(new Upload(fields, new UploadedFiles(files)));
                    }
                }, loop);
            }
        }, loop);
        return out;
    }
}
