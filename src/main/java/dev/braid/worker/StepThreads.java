package dev.braid.worker;

import dev.braid.model.CpuThreads;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * How many CPU threads a worker's step runs on, by its query tokens. A step of a few tokens is
 * hundreds of small ops, where a second thread's synchronisation costs more than it saves; a step
 * of many tokens is dominated by matrix products that split well. Where that turns is measured at
 * calibration, per worker: from {@link #parallelFrom} tokens on, steps run on the process's parallel
 * thread with {@link #threads} ({@link CpuThreads#inParallel}).
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
    private int current = 1;

    private StepThreads(int threads, int parallelFrom) {
        this.threads = threads;
        this.parallelFrom = parallelFrom;
    }

    /** One thread for every step: a one-thread host, a GPU, or a worker not calibrated yet. */
    static StepThreads one() {
        return new StepThreads(1, Integer.MAX_VALUE);
    }

    /** Steps of {@code parallelFrom} query tokens and more on {@code threads} threads, as {@link #choose} chose. */
    static StepThreads from(int threads, int parallelFrom) {
        return new StepThreads(threads, parallelFrom);
    }

    /**
     * The token count from which steps run on {@code threads} threads: of the calibrated steps that
     * ran clearly faster ({@link #CLEARLY_FASTER}) in parallel, the one from which the larger steps
     * together gained most, as the sum of each step's log of its parallel time over a tenth less than
     * its time on one; never when no such sum is a gain. A single larger step that a noisy moment made
     * slow thus no longer keeps every smaller one on one thread: requiring each larger step to be
     * clearly faster, a memory-bound model whose 64-token step alone read slow ran its one-token steps
     * on one thread, far slower than on two.
     */
    static StepThreads choose(int threads, int[] tokens, double[] oneThreadMs, double[] parallelMs) {
        int from = Integer.MAX_VALUE;
        // a sum of log ratios below 0 is a gain; the lowest is the most
        double best = 0;
        double sum = 0;
        for (int i = tokens.length - 1; i >= 0; i--) {
            double ratio = parallelMs[i] / (CLEARLY_FASTER * oneThreadMs[i]);
            sum += Math.log(ratio);
            if (ratio < 1 && sum < best) {
                best = sum;
                from = tokens[i];
            }
        }
        return new StepThreads(threads, from);
    }

    /** Each calibrated step's time in parallel over its time on one thread, by query tokens: "1: 0.66, 2: 0.71". */
    static String describe(int[] tokens, double[] oneThreadMs, double[] parallelMs) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < tokens.length; i++) {
            out.append(i == 0 ? "" : ", ").append(tokens[i]).append(": ")
                    .append(String.format(Locale.ROOT, "%.2f", parallelMs[i] / oneThreadMs[i]));
        }
        return out.toString();
    }

    int parallelFrom() {
        return parallelFrom;
    }

    /** The same threads, from {@code tokens} query tokens on. */
    StepThreads withParallelFrom(int tokens) {
        return new StepThreads(threads, tokens);
    }

    int threadsFor(int tokens) {
        return tokens >= parallelFrom ? threads : 1;
    }

    /** Runs the worker's following steps ({@link #run}) on {@code count} threads: on its own thread for one. */
    void use(int count) {
        current = count;
    }

    /** {@code step} on the threads {@link #use} chose: the worker's own for one, else the process's parallel thread. */
    <T> T run(Supplier<T> step) {
        return current > 1 ? CpuThreads.inParallel(step) : step.get();
    }
}
