package dev.braid.decoding.lookahead;

import dev.braid.decoding.GuessMemory;
import java.util.Arrays;

/**
 * What each of a lane's step shapes has been accepting (shape 0 the plain step, then the shapes that
 * verify the pool's best one, two or all candidates, and all of them with the window): per shape,
 * the verified tokens a step of it accepts, a decaying average. A new lane starts from the worker's
 * {@link GuessMemory}, and every observation goes there as well.
 *
 * <p>A step teaches every shape whose candidates it verified, not only its own: greedy verification
 * checks each candidate on its own, so it knows what verifying only the pool's first one or two
 * would have accepted, also where the pool offered too few for a shape to differ from a cheaper one.
 * Each estimate is thus the mean over the steps that had candidates, as the lane prices it. Learning
 * each shape only from its own steps, a lane whose text stopped matching bought each shape's misses
 * in turn before it stopped guessing.
 */
final class ShapeAcceptance {

    private static final String MEMORY = "lookahead";
    /** Before any step of a shape was seen: every verifying shape accepts a token. */
    private static final double[] PRIOR = {0, 1, 1, 1, 1};
    static final int SHAPES = PRIOR.length;
    /** A remembered estimate weighs as much as this many of the sequence's own steps. */
    private static final int REMEMBERED_TRIES = 5;
    /** Weight of the newest step, once the first ones have replaced the start. */
    private static final double RATE = 0.1;

    private final GuessMemory memory;
    private final double[] accepting;
    private final int[] tries = new int[SHAPES];

    ShapeAcceptance(GuessMemory memory) {
        this.memory = memory;
        this.accepting = memory.recall(MEMORY, PRIOR);
        if (memory.knows(MEMORY)) {
            Arrays.fill(tries, REMEMBERED_TRIES);
        }
    }

    /** Tokens a step of {@code shape} is expected to accept when the pool has candidates. */
    double expected(int shape) {
        return accepting[shape];
    }

    /**
     * A step of shape {@code ran} was verified.
     *
     * @param verifies per shape, how many of the pool's first candidates it would have verified this
     *                 step; the step verified {@code verifies[ran]}
     */
    void observe(int ran, int[] verifies, Verification.Verdict verdict) {
        if (ran == 0 || verifies[ran] == 0) {
            return;
        }
        for (int shape = 1; shape < SHAPES; shape++) {
            if (shape == ran) {
                learn(shape, verdict.matched());
            } else if (verdict.matchedAmongFirst() != null && verifies[shape] > 0
                    && verifies[shape] <= verifies[ran]) {
                learn(shape, verdict.matchedAmongFirst()[verifies[shape] - 1]);
            }
        }
    }

    private void learn(int shape, int matched) {
        // the first steps of a shape replace the optimistic start, later ones decay into it
        double rate = Math.max(RATE, 1.0 / ++tries[shape]);
        accepting[shape] += rate * (matched - accepting[shape]);
        memory.observe(MEMORY, PRIOR, shape, matched, RATE);
    }
}
