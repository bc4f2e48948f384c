package dev.budgateway.plugins.example;

/**
 * @param header the request header whose presence denies the request ({@code x-example-deny} by default)
 * @param message the error message the client gets
 */
public record DenyConfig(String header, String message) {
    public DenyConfig {
        header = header == null ? "x-example-deny" : header;
        message = message == null ? "Denied by the example-deny filter" : message;
    }
}
