package dev.braid.decoding.sgd;

import dev.braid.model.Tokenizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Where a point's answer ends: at an end token, or, as a point of Braid's corpus does, at its first
 * line break. Byte-level vocabularies hold several line-break tokens ("\n", "\n\n", ...), so a
 * token ends a point when its text contains one.
 */
final class PointEnds {

    private final Set<Integer> stopTokens;
    private final boolean atNewline;
    private final Tokenizer tokenizer;
    private final Map<Integer, Boolean> breaks = new HashMap<>();

    PointEnds(Set<Integer> stopTokens, boolean atNewline, Tokenizer tokenizer) {
        this.stopTokens = stopTokens;
        this.atNewline = atNewline;
        this.tokenizer = tokenizer;
    }

    boolean ends(int token) {
        if (stopTokens.contains(token)) {
            return true;
        }
        return atNewline && breaks.computeIfAbsent(token, t -> tokenizer.decode(new int[] {t}).indexOf('\n') >= 0);
    }

    /** The answer within {@code tokens}: everything before the token that ended it. */
    int[] answer(int[] tokens) {
        for (int i = 0; i < tokens.length; i++) {
            if (ends(tokens[i])) {
                return Arrays.copyOf(tokens, i);
            }
        }
        return tokens;
    }
}
