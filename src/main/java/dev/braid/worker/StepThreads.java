package dev.braid.worker;

import dev.braid.model.CpuThreads;

/**
 * How many CPU threads a worker's step runs on, by its query tokens. A step of a few tokens is
 * hundreds of small ops, where a second thread's synchronisation costs more than it saves; a step
 * of many tokens is dominated by matrix products that split well. Where that turns is measured at
 * calibration, per worker: from {@link #parallelFrom} tokens on, steps use {@link #threads}.
 *
 * <p>Used by its worker's thread alone.
 */
final class StepThreads {

    /**
     * A step goes parallel only when that ran at least a tenth faster: on a shared host the two
     * timings of a small step differ by noise, and a worker that took noise for a gain ran every
     * one-token step on two threads, 0.6-0.7x as fast as on one (bench, braid-base, concurrency 1).
     */
    static final double CLEARLY_FASTER = 0.9;

    private final int threads;
    private final int parallelFrom;
    private int current;

    private StepThreads(int threads, int parallelFrom) {
        this.threads = threads;
        this.parallelFrom = parallelFrom;
    }

    /** One thread for every step: a one-thread host, a GPU, or a worker not calibrated yet. */
    static StepThreads one() {
        return new StepThreads(1, Integer.MAX_VALUE);
    }

    /**
     * From the smallest token count whose step, and every calibrated larger one, ran clearly faster
     * ({@link #CLEARLY_FASTER}) on {@code threads} threads than on one; never when the largest did not.
     */
    static StepThreads choose(int threads, int[] tokens, double[] oneThreadMs, double[] parallelMs) {
        int from = Integer.MAX_VALUE;
        for (int i = tokens.length - 1; i >= 0 && parallelMs[i] < CLEARLY_FASTER * oneThreadMs[i]; i--) {
            from = tokens[i];
        }
        return new StepThreads(threads, from);
    }

    int parallelFrom() {
        return parallelFrom;
    }

    int threadsFor(int tokens) {
        return tokens >= parallelFrom ? threads : 1;
    }

    /** Runs the calling worker thread's next ops on {@code count} threads, telling PyTorch only of a change. */
    void use(int count) {
        if (current != count) {
            CpuThreads.useOnThisThread(count);
            current = count;
        }
    }
}
