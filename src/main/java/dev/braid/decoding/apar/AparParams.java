package dev.braid.decoding.apar;

/**
 * APAR's control tokens and limits (ALGORITHMS.md §3).
 *
 * @param forkId          id of {@code [Fork]}, or {@link #FROM_TOKENIZER}
 * @param childId         id of {@code [Child]}, or {@link #FROM_TOKENIZER}
 * @param separatorId     token put between an item and its detail, {@link #FROM_TOKENIZER} (a space), or
 *                        {@link #NONE}. The reference puts a newline there; Braid's models learned items
 *                        written on one line ("N. Title: detail", training/AparTree), and braid-base found
 *                        braid-apar's answers with the newline far less likely than with a space (mean
 *                        log-likelihood per token -1.5 to -2.0 against -0.28 to -0.32, three list answers)
 * @param maxDepth        deepest branch level, the root being 0; a branch at this depth may not fork
 * @param maxBranchTokens tokens one branch may generate; 0 means the request's max new tokens
 */
public record AparParams(int forkId, int childId, int separatorId, int maxDepth, int maxBranchTokens) {

    /** Look the token up in the model's tokenizer ({@code [Fork]}, {@code [Child]}, a space). */
    public static final int FROM_TOKENIZER = -1;
    public static final int NONE = -2;

    /** The reference's limit: two levels below the answer. */
    public static final AparParams DEFAULT = new AparParams(FROM_TOKENIZER, FROM_TOKENIZER, FROM_TOKENIZER, 2, 0);

    public AparParams {
        if (forkId < FROM_TOKENIZER || childId < FROM_TOKENIZER) {
            throw new IllegalArgumentException("fork and child ids must be token ids or FROM_TOKENIZER");
        }
        if (forkId >= 0 && forkId == childId) {
            throw new IllegalArgumentException("[Fork] and [Child] must be different tokens, both are " + forkId);
        }
        if (separatorId < NONE) {
            throw new IllegalArgumentException("separator id must be a token id, FROM_TOKENIZER or NONE");
        }
        if (maxDepth < 0) {
            throw new IllegalArgumentException("apar max depth must not be negative, got " + maxDepth);
        }
        if (maxBranchTokens < 0) {
            throw new IllegalArgumentException("apar max branch tokens must not be negative, got " + maxBranchTokens);
        }
    }

    /** These limits with explicit control tokens, e.g. a fixture model's frequent token as the fork. */
    public AparParams withControlTokens(int fork, int child, int separator) {
        return new AparParams(fork, child, separator, maxDepth, maxBranchTokens);
    }

    public AparParams withLimits(int depth, int branchTokens) {
        return new AparParams(forkId, childId, separatorId, depth, branchTokens);
    }
}
