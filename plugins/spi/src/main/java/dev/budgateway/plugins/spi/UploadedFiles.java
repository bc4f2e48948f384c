package dev.budgateway.plugins.spi;

import java.util.List;

/** The files of one multipart request, in the order the client sent them. */
public record UploadedFiles(List<UploadedFile> files) {

    public UploadedFiles {
        files = List.copyOf(files);
    }

    public long totalBytes() {
        long total = 0;
        for (UploadedFile f : files) {
            total += f.size();
        }
        return total;
    }
}
