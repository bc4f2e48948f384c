package dev.budgateway.plugins.spi;

import java.nio.file.Path;

/**
 * A file a client uploaded in a {@code multipart/form-data} request (audio to transcribe, an image to
 * edit). The gateway keeps it on disk, not in memory, for as long as the request lasts, so that every
 * attempt can send it again.
 *
 * @param field the form field's name ({@code file}, {@code image}, {@code mask})
 * @param filename the client's file name, or {@code null}
 * @param contentType the part's content type, or {@code null}
 * @param path where the bytes are; read-only
 * @param size in bytes
 */
public record UploadedFile(String field, String filename, String contentType, Path path, long size) {}
