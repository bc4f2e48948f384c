package dev.budgateway.plugins.example;

import java.util.List;
import java.util.Locale;

/**
 * @param words the words to hide in the generated text, matched whole-string and case-insensitively
 * @param replacement what stands in for each ({@code [redacted]} by default)
 * @param checkDelayMs how long the (simulated) remote check of each piece of text takes, 0 by default
 */
public record RedactConfig(List<String> words, String replacement, Long checkDelayMs) {
    public RedactConfig {
        if (words == null || words.isEmpty() || words.stream().anyMatch(w -> w == null || w.isEmpty())) {
            throw new IllegalArgumentException("words: give at least one word, none of them empty");
        }
        words = List.copyOf(words);
        replacement = replacement == null ? "[redacted]" : replacement;
        checkDelayMs = checkDelayMs == null ? 0 : checkDelayMs;
        if (checkDelayMs < 0) {
            throw new IllegalArgumentException("check_delay_ms: must be at least 0, found " + checkDelayMs);
        }
        String lower = replacement.toLowerCase(Locale.ROOT);
        for (String w : words) {
            if (lower.contains(w.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("replacement: must not contain a word it replaces ('" + w + "')");
            }
        }
    }

    /** The longest word: text shorter than this at the end of what was seen may be the start of one. */
    int longest() {
        return words.stream().mapToInt(String::length).max().orElse(1);
    }
}
