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

    /** Guesses a block of {@code block} is expected to have accepted this step. */
    double expectedGain(int block) {
        double now = 0;
        double run = 1;
        for (int i = 0; i < block; i++) {
            run *= rightAt(i);
            now += run;
        }
        return now;
    }

    /** That guess {@code i} of the coming block is right, given that those before it were. */
    private double rightAt(int i) {
        return i < refined ? refinedCurve.probability(i) : coldCurve.probability(i - refined);
    }

    /**
     * What refined guesses are worth to the step that feeds them: element {@code k} is, for a step
     * left {@code k} of them, the best expected gain of the blocks it may feed from them ({@code
     * sizes}) beyond what that block must gain to be bought ({@code breakEven}, by size); 0 where
     * none pays.
     */
    double[] refinedWorth(int[] sizes, double[] breakEven) {
        double[] worth = new double[sizes[sizes.length - 1] + 1];
        for (int s = 0; s < sizes.length; s++) {
            double net = Math.max(0, refinedCurve.expected(sizes[s]) - breakEven[s]);
            for (int k = sizes[s]; k < worth.length; k++) {
                worth[k] = Math.max(worth[k], net);
            }
        }
        return worth;
    }

    /**
     * A block's gain this step and what the refined guesses it leaves are worth to the next
     * ({@code refinedWorth}, from {@link #refinedWorth}). A step whose first {@code m} guesses are
     * right leaves the predictions after them, {@code block - m} refined guesses; a plain step leaves
     * only stale ones, and a block accepted whole nothing but filler. Priced by this step alone, a
     * lane that fed one guess a step left one refined guess for the next, learned that the cold ones
     * after it miss, and never again fed a block deep enough to refine; credited with the refined
     * guesses it leaves whether or not the next step would buy them, a lane whose guesses miss bought
     * cold blocks for refinements it then did not feed (README, "Jacobi's cold guesses").
     */
    double worth(int block, double[] refinedWorth) {
        double next = 0;
        double allRight = 1; // that the first m guesses are right
        for (int m = 0; m < block; m++) {
            double right = rightAt(m);
            next += allRight * (1 - right) * refinedWorth[Math.min(block - m, refinedWorth.length - 1)];
            allRight *= right;
        }
        return expectedGain(block) + next;
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
