package dev.braid.jobs;

import dev.braid.decoding.GenerationResult;
import dev.braid.model.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Turns one sequence's token stream into text deltas whose concatenation equals the final text of
 * the non-streamed response. It holds back a trailing incomplete UTF-8 character (decoded as
 * U+FFFD) and the last {@code longest stop string − 1} characters, which may yet turn out to be the
 * start of a stop string that the final text is cut before.
 */
public final class IncrementalText {

    private final Tokenizer tokenizer;
    private final List<String> stopStrings;
    private final int holdBack;
    private int[] ids = new int[32];
    private int count;
    private int emitted;

    public IncrementalText(Tokenizer tokenizer, List<String> stopStrings) {
        this.tokenizer = tokenizer;
        this.stopStrings = List.copyOf(stopStrings);
        this.holdBack = stopStrings.stream().mapToInt(String::length).max().orElse(1) - 1;
    }

    /** The text that became certain with {@code tokens}; possibly empty. */
    public String append(int[] tokens) {
        if (count + tokens.length > ids.length) {
            ids = Arrays.copyOf(ids, Math.max(ids.length * 2, count + tokens.length));
        }
        System.arraycopy(tokens, 0, ids, count, tokens.length);
        count += tokens.length;
        String text = tokenizer.decode(Arrays.copyOf(ids, count));
        int safe = text.length();
        while (safe > 0 && text.charAt(safe - 1) == '\uFFFD') {
            safe--;
        }
        safe -= holdBack;
        // a batch of tokens (parallel strategies) may carry a whole stop string and more
        for (String stop : stopStrings) {
            int at = text.indexOf(stop);
            if (at >= 0) {
                safe = Math.min(safe, at);
            }
        }
        if (safe <= emitted) {
            return "";
        }
        String delta = text.substring(emitted, safe);
        emitted = safe;
        return delta;
    }

    /** The rest of the final text, cut before the stop string that ended it. */
    public String finish(GenerationResult.Completion completion) {
        String full = completion.text(tokenizer);
        if (emitted >= full.length()) {
            return "";
        }
        String rest = full.substring(emitted);
        emitted = full.length();
        return rest;
    }
}
