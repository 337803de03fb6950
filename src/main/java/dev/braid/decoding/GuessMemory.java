package dev.braid.decoding;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * What a worker's sequences learned of their guesses, kept for the next ones: a new request on the
 * same model starts from how guesses of its strategy have been doing instead of an even chance, so
 * it does not pay again for the steps that taught the last one the same thing. Each key holds
 * estimates by position; sequences may know more or fewer positions than another (Jacobi lanes whose
 * requests cap their block differently), so what one learned extends what is kept, and a sequence
 * recalls the positions known and starts the rest from its prior. Used by the worker's thread alone.
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

    /**
     * {@code prior} with what is remembered under {@code key} in place of its first {@link
     * #knownPositions} values; a copy.
     */
    public double[] recall(String key, double[] prior) {
        double[] recalled = prior.clone();
        Entry known = entries.get(key);
        if (known != null) {
            System.arraycopy(known.values, 0, recalled, 0, Math.min(known.values.length, prior.length));
        }
        return recalled;
    }

    /** How many positions of {@code key}'s estimates anything is remembered for. */
    public int knownPositions(String key) {
        Entry known = entries.get(key);
        return known == null ? 0 : known.values.length;
    }

    /**
     * Moves what is remembered under {@code key} {@link #RATE} of the way to {@code estimate} at the
     * positions both hold; positions only {@code estimate} holds are kept as it has them.
     */
    public void remember(String key, double[] estimate) {
        if (!keeps) {
            return;
        }
        Entry known = covering(key, estimate);
        for (int i = 0; i < estimate.length; i++) {
            known.values[i] += RATE * (estimate[i] - known.values[i]);
        }
    }

    /** The entry under {@code key}, extended where needed by {@code start}'s values to cover all of its positions. */
    private Entry covering(String key, double[] start) {
        Entry known = entries.get(key);
        if (known == null) {
            known = Entry.of(start);
            entries.put(key, known);
        } else if (known.values.length < start.length) {
            double[] values = start.clone();
            System.arraycopy(known.values, 0, values, 0, known.values.length);
            known = new Entry(values, Arrays.copyOf(known.observed, start.length));
            entries.put(key, known);
        }
        return known;
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
        Entry known = covering(key, prior);
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
