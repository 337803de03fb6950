package dev.braid.worker;

import dev.braid.common.Median;
import java.util.Arrays;

/**
 * Whether steps that a worker's calibration put on several threads run faster there in real traffic.
 * The calibration times steps with nothing else running; in traffic the service's other threads (the
 * HTTP server, streaming, tokenizing, the JIT) share the cores, and parallel steps can lose what the
 * calibration measured them gaining and more. So in turns, a window of steps that would run in
 * parallel runs on one thread instead, a trial, and is compared with the window of parallel steps
 * just before it. A single step on one thread among parallel ones runs about as slow as they do (the
 * other threads' backlog is still there), so whole windows are compared; each window's time is taken
 * over what its steps would cost on one thread by the calibration, so that windows of other step
 * sizes compare. After {@link #PAIRS} pairs of windows the median ratio decides; one thread wins a
 * tie, since it leaves the other cores to the rest of the service.
 *
 * <p>Used by its worker's thread alone.
 */
final class ParallelTrial {

    /** Steps in a compared window, one thread or parallel. */
    static final int WINDOW = 8;
    /** Parallel steps before each compared parallel window: trials take a quarter of the steps that would run in parallel. */
    static final int BETWEEN = 16;
    /** Pairs of windows compared before the verdict. */
    static final int PAIRS = 4;

    enum Verdict { UNDECIDED, ONE_THREAD_FASTER, PARALLEL_FASTER }

    private final double[] ratios = new double[PAIRS];
    private int pairs;
    /** Steps seen in the current cycle: {@link #BETWEEN} uncounted, a parallel window, a trial window. */
    private int position;
    private double parallelMs;
    private double parallelExpected;
    private double trialMs;
    private double trialExpected;
    private int largestTried;
    private Verdict verdict = Verdict.UNDECIDED;

    /** Whether the coming step, which would run in parallel, runs on one thread as part of a trial. */
    boolean trialNow() {
        return verdict == Verdict.UNDECIDED && position >= BETWEEN + WINDOW;
    }

    /**
     * Records a step that would run in parallel: {@code ms} it took, {@code oneThreadMs} the
     * calibration's time for it on one thread, {@code tokens} its query tokens. Returns the verdict,
     * {@link Verdict#UNDECIDED} until the last pair.
     */
    Verdict record(int tokens, double ms, double oneThreadMs) {
        if (verdict != Verdict.UNDECIDED || !(ms > 0) || !(oneThreadMs > 0)) {
            return verdict;
        }
        if (position >= BETWEEN + WINDOW) {
            trialMs += ms;
            trialExpected += oneThreadMs;
            largestTried = Math.max(largestTried, tokens);
        } else if (position >= BETWEEN) {
            parallelMs += ms;
            parallelExpected += oneThreadMs;
        }
        if (++position == BETWEEN + 2 * WINDOW) {
            ratios[pairs++] = (trialMs / trialExpected) / (parallelMs / parallelExpected);
            position = 0;
            parallelMs = parallelExpected = trialMs = trialExpected = 0;
            if (pairs == PAIRS) {
                verdict = medianRatio() <= 1 ? Verdict.ONE_THREAD_FASTER : Verdict.PARALLEL_FASTER;
            }
        }
        return verdict;
    }

    Verdict verdict() {
        return verdict;
    }

    /** The most query tokens a step of a trial window carried. */
    int largestTried() {
        return largestTried;
    }

    /** The median over pairs of a trial window's time over the parallel window's, each over its one-thread calibration. */
    double medianRatio() {
        return Median.of(Arrays.copyOf(ratios, pairs));
    }
}
