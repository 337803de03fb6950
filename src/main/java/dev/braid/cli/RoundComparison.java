package dev.braid.cli;

import dev.braid.common.Median;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A row's tokens per second against AR's round by round. The targets of a level take turns round
 * by round, so a round's ratio compares work done moments apart, where the row's whole ratio also
 * carries whatever the host did between its rounds. The sign test reads the rounds without assuming
 * how their ratios spread: if the two ran at one speed, each round would be as likely faster as
 * slower, and the chance of as few faster rounds as this row had is {@code slower_than_ar_p}. Below
 * 0.05 the row is slower than AR beyond the host's noise; above it, the rounds do not show it.
 *
 * @param faster rounds where this row ran faster than AR
 * @param decided rounds where it ran faster or slower: a tie (AR's own row) says neither
 */
record RoundComparison(double low, double median, double high, int faster, int decided, double slowerP) {

    static RoundComparison of(List<Double> row, List<Double> ar) {
        if (row.size() != ar.size() || row.isEmpty()) {
            throw new IllegalArgumentException("rounds differ: " + row.size() + " against AR's " + ar.size());
        }
        double[] ratios = new double[row.size()];
        int faster = 0;
        int decided = 0;
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = row.get(i) / ar.get(i);
            if (ratios[i] != 1) {
                decided++;
                faster += ratios[i] > 1 ? 1 : 0;
            }
        }
        return new RoundComparison(Arrays.stream(ratios).min().orElseThrow(), Median.of(ratios),
                Arrays.stream(ratios).max().orElseThrow(), faster, decided, atMost(faster, decided));
    }

    /** The chance of at most {@code k} heads in {@code n} fair tosses. */
    static double atMost(int k, int n) {
        double term = Math.pow(0.5, n); // C(n, 0) / 2^n
        double sum = 0;
        for (int i = 0; i <= k; i++) {
            sum += term;
            term = term * (n - i) / (i + 1);
        }
        return Math.min(1, sum);
    }

    void putInto(Map<String, Object> row) {
        row.put("speedup_vs_ar_round_low", BenchReport.round(low));
        row.put("speedup_vs_ar_round_median", BenchReport.round(median));
        row.put("speedup_vs_ar_round_high", BenchReport.round(high));
        row.put("rounds_faster_than_ar", faster + "/" + decided);
        row.put("slower_than_ar_p", BenchReport.round(slowerP, 3));
    }
}
