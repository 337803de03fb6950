package dev.braid.decoding;

import java.util.List;
import java.util.Set;

/**
 * When a sequence stops: an end token, a stop string appearing in the generated text, or the
 * token budget. Stop strings are matched on decoded text because they may span tokens.
 */
public record StopCriteria(Set<Integer> stopTokenIds, List<String> stopStrings, int maxNewTokens) {

    public StopCriteria {
        stopTokenIds = Set.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be at least 1, got " + maxNewTokens);
        }
        for (String s : stopStrings) {
            if (s.isEmpty()) {
                throw new IllegalArgumentException("stop strings must not be empty");
            }
        }
    }

    /**
     * How many of the newest tokens can hold a stop string that ends in the newest one: a character
     * spans at most four byte-level tokens. Checking only these keeps the check per token constant.
     */
    public int stopWindowTokens() {
        int longest = 0;
        for (String s : stopStrings) {
            longest = Math.max(longest, s.length());
        }
        return 4 * longest + 4;
    }

    /** The first stop string found in {@code text}, or null. */
    public String stopStringIn(String text) {
        for (String s : stopStrings) {
            if (text.contains(s)) {
                return s;
            }
        }
        return null;
    }
}
