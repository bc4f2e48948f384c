package dev.budgateway.plugins.runtime;

/** Read access to the request's headers, whatever the server's header type is. */
@FunctionalInterface
public interface RequestHeaders {

    /** The first value of {@code name} (case-insensitive), or {@code null}. */
    String get(String name);
}
