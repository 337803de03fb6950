package dev.braid.worker;

import dev.braid.decoding.GuessMemory;
import dev.braid.decoding.StepCost;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's step cost: milliseconds of a step (forward pass, reading its logits, committing K/V)
 * by its query tokens. Its shape comes from synthetic steps of one sequence timed when the worker
 * starts, at a ladder of token counts, interpolated linearly between them and extrapolated from the
 * last two beyond; it never falls as the token count grows. Real steps then add what one sequence's
 * curve leaves out — a batch's per-sequence overheads, a slower or busier host — as an offset, and
 * the cost of each query length a step runs as a batch of its own. So the price of a guessed token is
 * the curve's slope at the batch's token count, guessing beside other sequences adds a group, and a
 * step costs what steps like it cost now. Without a calibration the offset alone is learned, over a
 * flat curve. Apart from the curve, a step on another copy of the weights than the step before it
 * pays a calibrated switch ({@link #switchMillis}).
 *
 * <p>The calibrated shape is one sequence's steps timed in turns with nothing else running, and in
 * traffic a step of a few guessed tokens can cost far more over a plain one than it did there (the
 * README's "Guess budgets" has the figures). So real steps of one sequence also correct the shape:
 * each calibrated point keeps an excess, learned from how much more than the plain steps just before
 * them steps near it cost beyond their price. The point whose steps ran most (plain ones, mostly)
 * keeps none: the offset is theirs. Only steps that decode teach it, since a step that prefills a
 * prompt also pays for admitting its request, which guesses never do; and only steps of one
 * sequence, since in a batch the cost of its sequences (the group cost) and of its tokens could not
 * be told apart.
 */
public final class StepCostModel implements StepCost {

    /** Token counts of the curve's points; calibration stops at {@link #CALIBRATED_UP_TO}. */
    static final int[] LADDER = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    static final int CALIBRATED_UP_TO = 128;
    /**
     * The smallest prefill chunk: below it a step costs about the same whatever its size (the curve's
     * flat start, where a 2- and a 16-token step are within noise), so smaller chunks buy no latency
     * and only add steps; and noise in those cheap points must not set the chunk.
     */
    static final int MIN_CHUNK = 32;
    /** How much a real step weighs against the one after it in the fit of offset and group cost. */
    private static final double DECAY = 0.98;
    /** Weight of the newest step's gap in a point's excess. */
    private static final double EXCESS_RATE = 0.1;
    /**
     * A step's gap counts as at most this share of its price either way, so that a step a pause, a
     * collection or a slow spell of the host stretched moves its point by a fortieth of its price at
     * most.
     */
    private static final double GAP_LIMIT = 0.25;
    /** Real steps fitted before they teach excesses: until then the offset itself is being learned. */
    private static final int EXCESS_AFTER = 10;
    /** Steps after a plain one that may still be compared with the plain level. */
    private static final int FRESH_PLAIN_LEVEL = 4;

    private final double[] millis = new double[LADDER.length];
    private final boolean[] calibrated = new boolean[LADDER.length];
    /** What real steps of one sequence near each point cost beyond the curve (see the class comment). */
    private final double[] excess = new double[LADDER.length];
    /** Per point, its share of the real steps that taught excesses, decaying like the fit. */
    private final double[] excessWeight = new double[LADDER.length];
    /** The point whose steps ran most, whose excess stays 0; -1 before any step taught one. */
    private int plainPoint = -1;
    /** What the plain point's steps cost beyond their price, a decaying mean. */
    private double plainLevel;
    private int plainSteps;
    private int stepsSincePlain;
    /** Each calibrated point's cost and excess, raised to the costliest calibrated point below it: the shape never falls. */
    private final double[] envelope = new double[LADDER.length];
    private double offset;
    private long observed;
    private double calibratedGroup;
    /** Whether a step of so many query tokens multiplies the packed copy of the weights; the last entry stands for all larger steps. */
    private boolean[] packedAt = new boolean[2];
    private double switchToPacked;
    private double switchFromPacked;
    /** What real steps that switched copies cost beyond the calibrated switch, learned as the excesses are. */
    private double switchToExtra;
    private double switchFromExtra;
    private int lastObservedTokens;
    /** Whether the step observed last prefilled a prompt: the step after it teaches nothing. */
    private boolean lastObservedPrefilled;
    private double contextMillis;
    private double groupMillis;
    private double weight;
    private double sumX;
    private double sumY;
    private double sumXx;
    private double sumXy;

    /** One point of the curve as the admin API shows it: what a step of that many tokens costs now. */
    public record Point(int tokens, double millis) {
    }

    /** Sets a point of the curve's shape from a calibration measurement. */
    synchronized void calibrate(int tokens, double ms) {
        int point = indexOf(tokens);
        millis[point] = ms;
        calibrated[point] = true;
        rebuildEnvelope();
    }

    /**
     * Lowers a calibrated point to a faster measurement of the same synthetic step, taken later: noise
     * on a shared host only ever adds time, so the fastest seen is the step's own cost. A point not
     * calibrated is left alone.
     */
    synchronized void refine(int tokens, double ms) {
        int point = indexOf(tokens);
        if (calibrated[point] && ms > 0 && ms < millis[point]) {
            millis[point] = ms;
            rebuildEnvelope();
        }
    }

    private void rebuildEnvelope() {
        double highest = 0;
        for (int i = 0; i < LADDER.length; i++) {
            if (calibrated[i]) {
                highest = Math.max(highest, millis[i] + excess[i]);
                envelope[i] = highest;
            }
        }
    }

    /** Sets the calibrated cost of a query length of its own in a batch (see {@link #groupMillis}). */
    synchronized void calibrateGroup(double ms) {
        calibratedGroup = Math.max(0, ms);
        groupMillis = Math.max(groupMillis, calibratedGroup);
    }

    /**
     * Sets what a step pays for following one on the other copy of the weights ({@link
     * #switchMillis}): {@code packedAt[t]} says whether a step of {@code t} query tokens multiplies
     * the packed copy (index 0 unused; the last entry stands for all larger steps).
     */
    synchronized void calibrateSwitch(boolean[] packedAt, double toPacked, double fromPacked) {
        this.packedAt = packedAt.clone();
        switchToPacked = Math.max(0, toPacked);
        switchFromPacked = Math.max(0, fromPacked);
    }

    @Override
    public synchronized double switchMillis(int lastTokens, int tokens) {
        return millisOf(switchOf(lastTokens, tokens));
    }

    private double millisOf(Switch switched) {
        return switch (switched) {
            case NONE -> 0;
            case TO_PACKED -> switchToPackedMillis();
            case FROM_PACKED -> switchFromPackedMillis();
        };
    }

    /** Whether a step of {@code tokens} after one of {@code lastTokens} (0: none) moves to the other copy, and to which. */
    private Switch switchOf(int lastTokens, int tokens) {
        if (lastTokens <= 0 || packedAt(lastTokens) == packedAt(tokens)) {
            return Switch.NONE;
        }
        return packedAt(tokens) ? Switch.TO_PACKED : Switch.FROM_PACKED;
    }

    /**
     * What a step on the packed copy of the weights pays after steps on the others ({@link
     * #switchMillis}): calibrated, and corrected by real steps as the excesses are.
     */
    public synchronized double switchToPackedMillis() {
        return Math.max(0, switchToPacked + switchToExtra);
    }

    /** What a step on the weights as loaded pays after steps on the packed copy, corrected likewise. */
    public synchronized double switchFromPackedMillis() {
        return Math.max(0, switchFromPacked + switchFromExtra);
    }

    private boolean packedAt(int tokens) {
        return packedAt[Math.min(Math.max(1, tokens), packedAt.length - 1)];
    }

    /** Sets {@link #contextMillis} from a calibration measurement. */
    synchronized void calibrateContext(double ms) {
        contextMillis = Math.max(0, ms);
    }

    @Override
    public synchronized double contextMillis() {
        return contextMillis;
    }

    /**
     * The cost of each query length beyond the first in a step: calibrated on two short sequences,
     * then learned from real steps, where a group also gathers its sequences' contexts.
     */
    @Override
    public synchronized double groupMillis() {
        return groupMillis;
    }

    /**
     * Records a real step of {@code tokens} query tokens in {@code groups} query lengths that took
     * {@code ms}, less what following the step observed before it cost ({@link #switchMillis}). What
     * the one-sequence curve leaves out is fitted as {@code offset + groupMillis ·
     * (groups − 1)} by least squares over the recent steps (each step weighs {@link #DECAY} of the
     * one after it); while the steps seen hardly vary in groups, the calibrated group cost stands.
     * {@code decoding}: the step prefilled no prompt, so it may teach the excesses.
     */
    public synchronized void observe(int tokens, int groups, double ms, boolean decoding) {
        if (tokens <= 0 || groups <= 0 || !(ms > 0) || Double.isInfinite(ms)) {
            return;
        }
        double x = groups - 1;
        int[] around = around(tokens);
        double shaped = shape(around, tokens);
        Switch switched = switchOf(lastObservedTokens, tokens);
        double switching = millisOf(switched);
        double y = ms - shaped - switching;
        lastObservedTokens = tokens;
        // the first step after a prompt's prefill pays for more than the copy of the weights it left
        // (braid-base: 5.69 ms against 4.27 for a plain step and 4.34 for the first plain step after a
        // guess); taught as the switch back, it priced guesses inside a run of them at half their cost
        boolean afterPrefill = lastObservedPrefilled;
        lastObservedPrefilled = !decoding;
        if (decoding && !afterPrefill && groups == 1 && observed >= EXCESS_AFTER) {
            learnExcess(around, tokens, y - offset, Math.max(1e-3, shaped + offset + switching), switched);
        }
        double keep = observed++ == 0 ? 0 : DECAY;
        weight = keep * weight + 1;
        sumX = keep * sumX + x;
        sumY = keep * sumY + y;
        sumXx = keep * sumXx + x * x;
        sumXy = keep * sumXy + x * y;
        double meanX = sumX / weight;
        double meanY = sumY / weight;
        double varX = sumXx / weight - meanX * meanX;
        double slope = varX > 0.05 ? (sumXy / weight - meanX * meanY) / varX : calibratedGroup;
        groupMillis = Math.max(calibratedGroup, slope);
        offset = meanY - groupMillis * meanX;
    }

    /**
     * Teaches the excesses from a decoding step of one sequence: {@code residual} is what it cost
     * beyond its price now. Steps at the point whose steps ran most set the plain level, a decaying
     * mean of their residuals; a step elsewhere, within {@link #FRESH_PLAIN_LEVEL} steps of a plain
     * one, moves the excesses of the points around it, each by its share of the step, a tenth of the
     * way by how far its residual lies from the plain level, taken as at most {@link #GAP_LIMIT} of its
     * price {@code cost} either way. A step that {@code switched} copies of the weights teaches the
     * switch it paid in the same way instead, a plain step as much as a guessing one: the first plain
     * step after guesses pays for reading the weights as loaded again. {@code around}: the calibrated
     * points the step lies between ({@link #around}).
     */
    private void learnExcess(int[] around, int tokens, double residual, double cost, Switch switched) {
        if (around == null) {
            return;
        }
        double toUpper = upperShare(around, tokens);
        double[] shares = {1 - toUpper, toUpper};
        for (int i = 0; i < LADDER.length; i++) {
            excessWeight[i] *= DECAY;
        }
        for (int k = 0; k < 2; k++) {
            excessWeight[around[k]] += shares[k];
        }
        keepPlainPointAtZero();
        boolean plain = around[0] == plainPoint && shares[1] == 0;
        if (plain && switched == Switch.NONE) {
            plainLevel += GuessMemory.weightOf(++plainSteps, EXCESS_RATE) * (residual - plainLevel);
            stepsSincePlain = 0;
            return;
        }
        if (plainSteps == 0 || ++stepsSincePlain > FRESH_PLAIN_LEVEL) {
            // no plain step close enough in time to compare with: where the host's speed drifts, a run
            // of guesses compared with plain steps long before it takes the drift for its own cost
            return;
        }
        double gap = Math.max(-cost * GAP_LIMIT, Math.min(cost * GAP_LIMIT, residual - plainLevel));
        if (switched != Switch.NONE) {
            // what it paid beyond its price is the switch's: its point's excess is taught by the steps
            // that did not switch
            if (switched == Switch.TO_PACKED) {
                switchToExtra += EXCESS_RATE * gap;
            } else {
                switchFromExtra += EXCESS_RATE * gap;
            }
            if (plain) {
                stepsSincePlain = 0;
            }
            return;
        }
        for (int k = 0; k < 2; k++) {
            int point = around[k];
            if (shares[k] > 0 && point != plainPoint) {
                excess[point] += EXCESS_RATE * shares[k] * gap;
            }
        }
        rebuildEnvelope();
    }

    /** Whether a step moved to the other copy of the weights than the step before it, and to which. */
    private enum Switch { NONE, TO_PACKED, FROM_PACKED }

    /**
     * Makes the point whose steps ran most the plain one, with no excess: when another takes its
     * place, every excess moves by the new one's, and so does the plain level its steps will show.
     */
    private void keepPlainPointAtZero() {
        int most = 0;
        for (int i = 1; i < LADDER.length; i++) {
            if (excessWeight[i] > excessWeight[most]) {
                most = i;
            }
        }
        if (most == plainPoint) {
            return;
        }
        double shift = excess[most];
        for (int i = 0; i < LADDER.length; i++) {
            excess[i] -= shift;
        }
        plainLevel += shift;
        plainPoint = most;
        rebuildEnvelope();
    }

    /**
     * The calibrated points a step of {@code tokens} is interpolated between, lower then upper (the
     * same one twice at or beyond the ends); null before calibration.
     */
    private int[] around(int tokens) {
        int lower = -1;
        int upper = -1;
        for (int i = 0; i < LADDER.length; i++) {
            if (!calibrated[i]) {
                continue;
            }
            if (LADDER[i] <= tokens) {
                lower = i;
            } else if (upper < 0) {
                upper = i;
            }
        }
        if (lower < 0 && upper < 0) {
            return null;
        }
        if (lower < 0 || LADDER[lower] == tokens) {
            int only = lower < 0 ? upper : lower;
            return new int[] {only, only};
        }
        return upper < 0 ? new int[] {lower, lower} : new int[] {lower, upper};
    }

    /** How far {@code tokens} lies from the lower of the points {@link #around} it toward the upper: 0 to 1. */
    private static double upperShare(int[] around, int tokens) {
        int lower = around[0];
        int upper = around[1];
        return lower == upper ? 0 : (double) (tokens - LADDER[lower]) / (LADDER[upper] - LADDER[lower]);
    }

    /** What real steps near each calibrated point have cost beyond the curve, by token count (0 where none taught it). */
    synchronized List<Point> excess() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < LADDER.length; i++) {
            if (calibrated[i]) {
                points.add(new Point(LADDER[i], round(excess[i])));
            }
        }
        return points;
    }

    @Override
    public synchronized double millis(int tokens) {
        return Math.max(1e-3, shape(tokens) + offset);
    }

    /**
     * The step size for chunked prefill: the smallest calibrated size, from {@link #MIN_CHUNK} on, from
     * which doubling the step saves less than a tenth of the cost per token. Bigger steps hardly
     * prefill faster, and every request running beside the prefill waits the whole step for its next
     * token. The largest calibrated size when every doubling still saved; {@link #CALIBRATED_UP_TO}
     * before calibration.
     */
    public synchronized int chunkTokens() {
        int previous = -1;
        for (int i = 0; i < LADDER.length; i++) {
            if (!calibrated[i] || LADDER[i] < MIN_CHUNK) {
                continue;
            }
            if (previous >= 0 && LADDER[i] == 2 * LADDER[previous]
                    && millis(LADDER[i]) / LADDER[i] > 0.9 * millis(LADDER[previous]) / LADDER[previous]) {
                return LADDER[previous];
            }
            previous = i;
        }
        return previous < 0 ? CALIBRATED_UP_TO : LADDER[previous];
    }

    /** The curve now at its calibrated points, or at one token when nothing was calibrated. */
    public synchronized List<Point> curve() {
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < LADDER.length; i++) {
            if (calibrated[i]) {
                points.add(new Point(LADDER[i], round(millis(LADDER[i]))));
            }
        }
        if (points.isEmpty() && observed > 0) {
            points.add(new Point(1, round(millis(1))));
        }
        return points;
    }

    /** {@code ms} to the microsecond, as the admin API shows step costs. */
    static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }

    /** One sequence's calibrated cost at {@code tokens}, with the excesses, kept from falling as tokens grow. */
    private double shape(int tokens) {
        return shape(around(tokens), tokens);
    }

    /** {@link #shape(int)} where the points {@link #around} {@code tokens} are known. */
    private double shape(int[] around, int tokens) {
        if (around == null) {
            return 0; // uncalibrated: a flat curve, all of the cost in the offset
        }
        int lower = around[0];
        int upper = around[1];
        if (lower != upper) {
            return envelope[lower] + upperShare(around, tokens) * (envelope[upper] - envelope[lower]);
        }
        int previous = -1;
        for (int i = lower - 1; i >= 0; i--) {
            if (calibrated[i]) {
                previous = i;
                break;
            }
        }
        if (tokens <= LADDER[lower] || previous < 0) {
            return envelope[lower];
        }
        // beyond the last point: the slope of the last two
        double slope = Math.max(0, (envelope[lower] - envelope[previous]) / (LADDER[lower] - LADDER[previous]));
        return envelope[lower] + slope * ((double) tokens - LADDER[lower]);
    }

    private static int indexOf(int tokens) {
        for (int i = 0; i < LADDER.length; i++) {
            if (LADDER[i] == tokens) {
                return i;
            }
        }
        throw new IllegalArgumentException("no point of " + tokens + " tokens on the step-cost ladder");
    }
}
