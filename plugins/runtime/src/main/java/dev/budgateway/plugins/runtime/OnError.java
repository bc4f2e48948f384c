package dev.budgateway.plugins.runtime;

/** What the chain does when a filter throws or its pending stage fails. */
public enum OnError {
    /** Fail closed: the client gets a 500. */
    REJECT,
    /** Fail open: the filter is skipped for this request. */
    SKIP
}
