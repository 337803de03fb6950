package dev.braid.decoding.apar;

import dev.braid.model.Tokenizer;

/**
 * The control token ids one task decodes with, resolved against the model's tokenizer. A model
 * whose tokenizer has no {@code [Fork]} token never forks: APAR then decodes exactly like AR.
 *
 * @param fork    {@code [Fork]}, or -1 when the model has none
 * @param child   {@code [Child]}, or -1
 * @param separator the token between an item and its detail, or -1 for none
 */
record ControlTokens(int fork, int child, int separator) {

    static ControlTokens resolve(AparParams params, Tokenizer tokenizer) {
        int fork = params.forkId() != AparParams.FROM_TOKENIZER ? params.forkId() : single(tokenizer, "[Fork]");
        int child = params.childId() != AparParams.FROM_TOKENIZER ? params.childId() : single(tokenizer, "[Child]");
        int separator = switch (params.separatorId()) {
            case AparParams.NONE -> -1;
            case AparParams.FROM_TOKENIZER -> single(tokenizer, " ");
            default -> params.separatorId();
        };
        if (fork < 0 || child < 0) {
            return new ControlTokens(-1, -1, separator);
        }
        return new ControlTokens(fork, child, separator);
    }

    private static int single(Tokenizer tokenizer, String text) {
        int[] ids = tokenizer.encode(text, false);
        return ids.length == 1 ? ids[0] : -1;
    }

    boolean forking() {
        return fork >= 0;
    }

    boolean isControl(int token) {
        return token >= 0 && (token == fork || token == child);
    }
}
