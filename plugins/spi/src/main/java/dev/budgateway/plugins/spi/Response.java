package dev.budgateway.plugins.spi;

/** A response on its way to the client: its head, then its body as a stream of chunks. */
public record Response(ResponseHead head, ChunkStream body) {

    /** A unary JSON response. */
    public static Response unary(int status, Chunk body) {
        return new Response(new ResponseHead(status, false), ChunkStream.of(body));
    }
}
