package dev.braid.decoding;

import java.util.HashMap;
import java.util.Map;

/**
 * What a worker's sequences learned of their guesses, kept for the next ones: a new request on the
 * same model starts from how guesses of its strategy have been doing instead of an even chance, so
 * it does not pay again for the steps that taught the last one the same thing. Used by the worker's
 * thread alone.
 */
public final class GuessMemory {

    /** Weight of one sequence's latest estimate in what is remembered. */
    private static final double RATE = 0.2;

    private final Map<String, double[]> estimates = new HashMap<>();
    /** Observations of each entry {@link #observe} has counted, by key. */
    private final Map<String, int[]> observations = new HashMap<>();
    private final boolean keeps;

    public GuessMemory() {
        this(true);
    }

    private GuessMemory(boolean keeps) {
        this.keeps = keeps;
    }

    /** A memory that keeps nothing: every sequence starts from its own prior. */
    public static GuessMemory none() {
        return new GuessMemory(false);
    }

    /** What is remembered under {@code key}, or {@code prior}; a copy either way. */
    public double[] recall(String key, double[] prior) {
        double[] known = estimates.get(key);
        return known == null || known.length != prior.length ? prior.clone() : known.clone();
    }

    public void remember(String key, double[] estimate) {
        if (!keeps) {
            return;
        }
        double[] known = estimates.get(key);
        if (known == null || known.length != estimate.length) {
            estimates.put(key, estimate.clone());
            return;
        }
        for (int i = 0; i < known.length; i++) {
            known[i] += RATE * (estimate[i] - known[i]);
        }
    }

    /**
     * One observation of entry {@code index}: what is remembered under {@code key} (or {@code prior})
     * moves {@code rate} of the way to {@code value} there, the rest kept; the first observations
     * move it further, to their average with the prior counted as one of them. Unlike {@link
     * #remember}, each observation counts once, whichever sequence made it: a strategy whose guesses
     * are rare (a few steps a request) would otherwise take dozens of requests to forget a shape that
     * stopped paying, and a worker's first request, which learns in a few steps that its guesses
     * miss, would leave the next one starting from nearly the prior.
     */
    public void observe(String key, double[] prior, int index, double value, double rate) {
        if (!keeps) {
            return;
        }
        double[] known = estimates.get(key);
        if (known == null || known.length != prior.length) {
            known = prior.clone();
            estimates.put(key, known);
            observations.remove(key);
        }
        int[] counts = observations.computeIfAbsent(key, k -> new int[prior.length]);
        double weight = Math.max(rate, 1.0 / (++counts[index] + 1));
        known[index] += weight * (value - known[index]);
    }

    /** Whether anything is remembered under {@code key}. */
    public boolean knows(String key) {
        return estimates.containsKey(key);
    }
}
