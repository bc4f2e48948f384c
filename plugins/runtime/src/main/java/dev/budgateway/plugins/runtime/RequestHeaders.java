package dev.budgateway.plugins.runtime;

/** Read access to the request's headers, whatever the server's header type is. */
@FunctionalInterface
public interface RequestHeaders {

    /** The first value of {@code name} (case-insensitive), or {@code null}. */
    String get(String name);

    /** Every value of {@code name}, in the order the lines came. */
    default java.util.List<String> all(String name) {
        String v = get(name);
        return v == null ? java.util.List.of() : java.util.List.of(v);
    }
}
