package dev.budgateway.config;

import dev.budgateway.plugins.spi.ConfigProblem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The values {@code ${VAR}} put into the config. They may be secrets (a key in a URL, a token), so no
 * problem report shows them: each is replaced by {@code ***} in every message, whichever part of the
 * gateway wrote the message.
 */
public final class EnvironmentValues {

    /** Shorter values ("1", "on") are not secrets, and replacing them would garble every message. */
    private static final int MIN_SECRET_LENGTH = 4;

    private final Set<String> values = new HashSet<>();

    void add(String value) {
        if (value.length() >= MIN_SECRET_LENGTH) {
            values.add(value);
        }
    }

    /** The problems with every environment value in their messages replaced. */
    public List<ConfigProblem> scrub(List<ConfigProblem> problems) {
        if (values.isEmpty()) {
            return problems;
        }
        List<ConfigProblem> out = new ArrayList<>(problems.size());
        for (ConfigProblem p : problems) {
            String message = p.message();
            for (String v : values) {
                message = message.replace(v, "***");
            }
            out.add(new ConfigProblem(p.path(), message));
        }
        return out;
    }
}
