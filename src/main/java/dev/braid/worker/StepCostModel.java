package dev.braid.worker;

import dev.braid.decoding.StepCost;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's measured step cost: milliseconds of a step (forward pass, reading its logits, committing
 * K/V) at a ladder of query-token counts, first from synthetic steps when the worker starts, then
 * kept current by a decaying average of the real steps it runs. Between ladder points the cost is
 * interpolated linearly, beyond the last one extrapolated from the last two; it never falls as the
 * token count grows, so noise cannot make a bigger step look cheaper than a smaller one.
 * The context a step attends is not modelled: on the models this runs, the query tokens dominate.
 */
public final class StepCostModel implements StepCost {

    /** Token counts measured; the curve's points. Batches of many sequences reach the upper ones. */
    static final int[] LADDER = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    /** Points up to this many tokens are calibrated at start; the larger ones are learned from real steps. */
    static final int CALIBRATED_UP_TO = 128;
    /** Weight of a real step in its point's average. */
    private static final double RATE = 0.05;

    private final double[] millis = new double[LADDER.length];
    private final long[] samples = new long[LADDER.length];

    /** One point of the curve, as the admin API shows it. */
    public record Point(int tokens, double millis, long samples) {
    }

    /** Records a step of {@code tokens} query tokens that took {@code ms}; it updates the nearest point. */
    public synchronized void observe(int tokens, double ms) {
        if (tokens <= 0 || !(ms > 0) || Double.isInfinite(ms)) {
            return;
        }
        int point = nearest(tokens);
        // a step between two points says what the nearest point costs after scaling by the curve's slope
        double scaled = ms * millisAt(LADDER[point]) / Math.max(1e-9, millisAt(tokens));
        double value = samples[point] == 0 || millisAt(tokens) == 0 ? ms : scaled;
        // the first real steps weigh as much as the calibration, later ones decay it
        double rate = Math.max(RATE, 1.0 / (samples[point] + 1));
        millis[point] = samples[point] == 0 ? value : millis[point] + rate * (value - millis[point]);
        samples[point]++;
    }

    /** Sets a point from a calibration measurement, replacing what it held. */
    synchronized void calibrate(int tokens, double ms) {
        int point = nearest(tokens);
        millis[point] = ms;
        samples[point] = Math.max(1, samples[point]);
    }

    @Override
    public synchronized double millis(int tokens) {
        return millisAt(tokens);
    }

    /** The measured points, cheapest first. */
    public synchronized List<Point> curve() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < LADDER.length; i++) {
            if (samples[i] > 0) {
                points.add(new Point(LADDER[i], envelope(i), samples[i]));
            }
        }
        return points;
    }

    private double millisAt(int tokens) {
        int known = 0;
        for (long s : samples) {
            known += s > 0 ? 1 : 0;
        }
        if (known == 0) {
            return 1.0; // nothing measured: every step costs the same
        }
        int lower = -1;
        int upper = -1;
        for (int i = 0; i < LADDER.length; i++) {
            if (samples[i] == 0) {
                continue;
            }
            if (LADDER[i] <= tokens) {
                lower = i;
            } else if (upper < 0) {
                upper = i;
            }
        }
        if (lower < 0) {
            return envelope(upper);
        }
        if (upper < 0) {
            int previous = -1;
            for (int i = lower - 1; i >= 0; i--) {
                if (samples[i] > 0) {
                    previous = i;
                    break;
                }
            }
            if (previous < 0 || tokens == LADDER[lower]) {
                return envelope(lower);
            }
            double slope = Math.max(0, (envelope(lower) - envelope(previous)) / (LADDER[lower] - LADDER[previous]));
            return envelope(lower) + slope * ((double) tokens - LADDER[lower]);
        }
        double at = (double) (tokens - LADDER[lower]) / (LADDER[upper] - LADDER[lower]);
        return envelope(lower) + at * (envelope(upper) - envelope(lower));
    }

    /** Point {@code i}'s cost, raised to the costliest measured point below it. */
    private double envelope(int i) {
        double value = millis[i];
        for (int j = 0; j < i; j++) {
            if (samples[j] > 0) {
                value = Math.max(value, millis[j]);
            }
        }
        return value;
    }

    private static int nearest(int tokens) {
        int best = 0;
        double distance = Double.MAX_VALUE;
        for (int i = 0; i < LADDER.length; i++) {
            double d = Math.abs(Math.log(tokens) - Math.log(LADDER[i]));
            if (d < distance) {
                distance = d;
                best = i;
            }
        }
        return best;
    }
}
