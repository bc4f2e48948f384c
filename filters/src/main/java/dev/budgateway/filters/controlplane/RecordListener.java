package dev.budgateway.filters.controlplane;

/**
 * Told of the records under one pattern of the control plane's: every one at load and re-scan, then each
 * change. Called on the mirror's own thread (never a request's): keep what it builds in a concurrent map.
 */
public interface RecordListener {

    /** {@code key} now holds {@code value} (a new record, or a replacement of the whole value). */
    void put(String key, String value);

    /** {@code key} is gone: deleted, expired or evicted. */
    void remove(String key);

    /**
     * What a log line may call the record of {@code key}: the key itself, unless the key is a secret's hash
     * (an API key's), which is never logged.
     */
    default String describe(String key) {
        return key;
    }

    /**
     * How long the mirror may gather changes to a record it already holds before reading it again: one read for
     * all the changes of that time, instead of one each. 0 (the default) reads each change at once. A new record and
     * a removal are never held back.
     */
    default long coalesceMs() {
        return 0;
    }
}
