package dev.braid.decoding.lookahead;

/**
 * Lookahead decoding's shape: a window of {@code window} columns (W), n-grams of {@code ngram}
 * tokens (N, so N−1 window levels) and at most {@code candidates} (G) n-grams verified per step.
 * A step feeds about (W + G)·(N−1) extra tokens.
 *
 * @param textNgrams whether the n-gram pool also holds the text's own n-grams: the prompt's from the
 *                   start, the output's as it is accepted. Pays off when the answer quotes the prompt or
 *                   repeats itself (code, extraction, loops); on the fixtures it takes compression from
 *                   about 1.45 to 1.65 at the default shape.
 */
public record LookaheadParams(int window, int ngram, int candidates, boolean textNgrams) {

    public static final int MAX_WINDOW = 64;
    public static final int MIN_NGRAM = 2;
    public static final int MAX_NGRAM = 16;
    public static final int MAX_CANDIDATES = 64;

    /**
     * Small, because on a CPU every extra token costs compute: in bench runs on llama-tiny and a random
     * 25M Llama (2 cores), compression hardly moved between W,G ∈ {2,4,8} at N = 4 (1.5–1.8 and 2.5–2.8)
     * while the step time grew with (W + G)·(N − 1); W = G = 4, N = 4 was among the fastest on both.
     * On a GPU at low load, larger windows (the reference uses W = 15, N = 5, G = 15) are the better start.
     */
    public static final LookaheadParams DEFAULT = new LookaheadParams(4, 4, 4, true);

    public LookaheadParams {
        check("window", window, 1, MAX_WINDOW);
        check("ngram", ngram, MIN_NGRAM, MAX_NGRAM);
        check("candidates", candidates, 1, MAX_CANDIDATES);
    }

    public LookaheadParams(int window, int ngram, int candidates) {
        this(window, ngram, candidates, true);
    }

    private static void check(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("lookahead " + name + " must be between " + min + " and " + max
                    + ", got " + value);
        }
    }
}
