package dev.braid.common;

import java.util.Arrays;

/** The median of timings or ratios of timings: a noisy host's slow spells move it less than a mean. */
public final class Median {

    private Median() {
    }

    /** The middle value of {@code values}, or the mean of the two middle ones; {@code values} is left as it was. */
    public static double of(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
