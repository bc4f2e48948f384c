package dev.budgateway.plugins.spi;

/** Carries a {@link GatewayError} through a failed future. Has no stack trace: it is a value, not a bug. */
public final class GatewayException extends RuntimeException {

    private final GatewayError error;

    public GatewayException(GatewayError error) {
        super(error.message(), null, false, false);
        this.error = error;
    }

    public GatewayError error() {
        return error;
    }

    /** The gateway error inside {@code t}, unwrapping completion wrappers; {@code null} if there is none. */
    public static GatewayError unwrap(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof GatewayException ge) {
                return ge.error;
            }
        }
        return null;
    }

    /** The gateway error inside {@code t}, or a generic 500 when {@code t} carries none (a bug, not a decision). */
    public static GatewayError errorOf(Throwable t) {
        GatewayError error = unwrap(t);
        return error != null ? error : GatewayError.internal("Internal error");
    }
}
