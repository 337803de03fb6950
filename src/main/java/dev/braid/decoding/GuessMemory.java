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

    private final Map<String, Entry> entries = new HashMap<>();
    private final boolean keeps;

    /** What is remembered under one key, and how many observations {@link #observe} counted per value. */
    private record Entry(double[] values, int[] observed) {

        static Entry of(double[] values) {
            return new Entry(values.clone(), new int[values.length]);
        }
    }

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
        Entry known = entries.get(key);
        return known == null || known.values.length != prior.length ? prior.clone() : known.values.clone();
    }

    public void remember(String key, double[] estimate) {
        if (!keeps) {
            return;
        }
        Entry known = entries.get(key);
        if (known == null || known.values.length != estimate.length) {
            entries.put(key, Entry.of(estimate));
            return;
        }
        for (int i = 0; i < estimate.length; i++) {
            known.values[i] += RATE * (estimate[i] - known.values[i]);
        }
    }

    /** Replaces what is remembered under {@code key} with {@code values}: a setting, not an estimate. */
    public void keep(String key, double[] values) {
        if (keeps) {
            entries.put(key, Entry.of(values));
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
        Entry known = entries.get(key);
        if (known == null || known.values.length != prior.length) {
            known = Entry.of(prior);
            entries.put(key, known);
        }
        known.values[index] += weightOf(++known.observed[index], rate) * (value - known.values[index]);
    }

    /**
     * The weight of the newest of {@code observed} observations in an estimate, its starting value
     * counted as one more: the first ones move it to their average with the start, later ones by
     * {@code rate}.
     */
    public static double weightOf(int observed, double rate) {
        return Math.max(rate, 1.0 / (observed + 1));
    }

    /** Whether anything is remembered under {@code key}. */
    public boolean knows(String key) {
        return entries.containsKey(key);
    }
}
