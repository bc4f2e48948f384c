package dev.budgateway.plugins.spi;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typed slot on an {@link Exchange}. Keys are compared by identity and each owns an index into the
 * exchange's slot array, so a lookup is an array read, not a map lookup. Create keys once, as
 * constants.
 */
public final class Key<T> {

    private static final AtomicInteger NEXT_INDEX = new AtomicInteger();

    private final String name;
    private final Class<T> type;
    private final boolean mutable;
    private final int index;

    private Key(String name, Class<T> type, boolean mutable) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.mutable = mutable;
        this.index = NEXT_INDEX.getAndIncrement();
    }

    /** A key whose value may be written once per exchange. */
    public static <T> Key<T> of(String name, Class<T> type) {
        return new Key<>(name, type, false);
    }

    /** A key whose value may be overwritten, e.g. a counter of attempts. */
    public static <T> Key<T> mutable(String name, Class<T> type) {
        return new Key<>(name, type, true);
    }

    /** The number of keys created so far: the size an exchange needs for its slots. */
    public static int count() {
        return NEXT_INDEX.get();
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    public boolean isMutable() {
        return mutable;
    }

    public int index() {
        return index;
    }

    @Override
    public String toString() {
        return name;
    }
}
