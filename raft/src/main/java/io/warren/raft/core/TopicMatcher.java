package io.warren.raft.core;

/**
 * Topic-exchange matching as RabbitMQ does it: keys and patterns are words split on '.', where the empty
 * string is zero words and "a..b" has an empty middle word; '*' matches exactly one word (an empty one
 * too) and '#' zero or more. Checked against RabbitMQ 3.10 by TopicMatcherTest's table.
 */
public final class TopicMatcher {
    private TopicMatcher() {}

    public static boolean matches(String pattern, String routingKey) {
        return matchWords(words(pattern), 0, words(routingKey), 0);
    }

    static String[] words(String text) {
        return text.isEmpty() ? new String[0] : text.split("\\.", -1);
    }

    /**
     * Dynamic programming over (pattern word, key word), so a pattern with many '#' costs
     * O(pattern words x key words) rather than backtracking exponentially.
     */
    private static boolean matchWords(String[] pattern, int p0, String[] key, int k0) {
        int keyLength = key.length;
        // next[k]: the pattern words after the current one match the key words from k on.
        boolean[] next = new boolean[keyLength + 1];
        next[keyLength] = true;
        for (int p = pattern.length - 1; p >= p0; p--) {
            boolean[] current = new boolean[keyLength + 1];
            String word = pattern[p];
            for (int k = keyLength; k >= k0; k--) {
                if (word.equals("#")) {
                    current[k] = next[k] || k < keyLength && current[k + 1];
                } else {
                    current[k] = k < keyLength && (word.equals("*") || word.equals(key[k])) && next[k + 1];
                }
            }
            next = current;
        }
        return next[k0];
    }
}
