package dev.braid.decoding.jacobi;

import dev.braid.decoding.AcceptanceCurve;
import dev.braid.decoding.GuessMemory;

/**
 * How a Jacobi lane's guesses fare, by what they are: refined guesses, which the step before
 * predicted past its accepted run, and cold ones, which no step has refined (random filler, and after
 * plain steps stale predictions shifted along). A block holds the refined guesses first and cold ones
 * after them; each kind is learned apart, so a lane that fed few refined guesses does not learn from
 * the cold ones behind them that refined guesses miss.
 */
final class BlockAcceptance {

    /** Where the worker's {@link GuessMemory} keeps the acceptance of refined guesses, and of cold ones. */
    static final String MEMORY = "jacobi";
    static final String COLD_MEMORY = "jacobi-cold";

    private final GuessMemory memory;
    /** By position in the block, each given that the guesses before it were right. */
    private final AcceptanceCurve refinedCurve;
    /** By position counted from the first cold guess, each given that the guesses before it were right. */
    private final AcceptanceCurve coldCurve;
    /** Leading guesses of the coming block that are refined. */
    private int refined;

    /** Curves of {@code positions} that start from what the worker's earlier lanes taught {@code memory}. */
    BlockAcceptance(GuessMemory memory, int positions) {
        this.memory = memory;
        this.refinedCurve = AcceptanceCurve.recall(memory, MEMORY, positions);
        this.coldCurve = AcceptanceCurve.recall(memory, COLD_MEMORY, positions);
    }

    /** The coming block's first {@code count} guesses are refined, the rest cold. */
    void refined(int count) {
        refined = count;
    }

    boolean anyRefined() {
        return refined > 0;
    }

    /**
     * Guesses a block of {@code block} is expected to have accepted. Where it runs past the refined
     * guesses into cold ones, what those buy is mostly the step after it, which feeds them refined:
     * such a block is priced at the mean of this step's gain and the gain of the same block refined
     * whole. Priced by this step alone, a lane that fed one guess a step left one refined guess for
     * the next, learned that the cold ones after it miss, and never again fed a block deep enough to
     * refine (README, "Jacobi's cold guesses").
     */
    double expectedGain(int block) {
        double now = 0;
        double run = 1;
        for (int i = 0; i < block; i++) {
            run *= i < refined ? refinedCurve.probability(i) : coldCurve.probability(i - refined);
            now += run;
        }
        return (now + refinedCurve.expected(block)) / 2;
    }

    /** A step fed {@code fed} guesses of the block and the first {@code matched} were right. */
    void observe(int fed, int matched) {
        int refinedFed = Math.min(fed, refined);
        if (refinedFed > 0) {
            refinedCurve.observe(refinedFed, matched);
            refinedCurve.rememberIn(memory, MEMORY);
        }
        // the cold guesses were tried only if every refined one before them was right
        if (fed > refined && matched >= refined) {
            coldCurve.observe(fed - refined, matched - refined);
            coldCurve.rememberIn(memory, COLD_MEMORY);
        }
    }
}
