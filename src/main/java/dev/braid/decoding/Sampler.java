package dev.braid.decoding;

import dev.braid.model.StepOutput;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks tokens from logits: argmax when greedy, otherwise temperature, then top-k, then top-p
 * (nucleus), then a draw from the seeded generator. One sampler per sequence keeps each sequence's
 * draws independent of what else shares its batch.
 */
public final class Sampler {

    private final SamplingParams params;
    private final SplittableRandom random;

    public Sampler(SamplingParams params, long seed) {
        this.params = params;
        this.random = new SplittableRandom(seed);
    }

    public SamplingParams params() {
        return params;
    }

    /** The filtered next-token distribution, as probabilities over the whole vocabulary. */
    public double[] distribution(float[] logits) {
        int vocab = logits.length;
        double[] probs = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double temperature = params.greedy() ? 1 : params.temperature();
        for (int i = 0; i < vocab; i++) {
            probs[i] = Math.exp((logits[i] - max) / temperature);
        }
        boolean filterK = params.topK() > 0 && params.topK() < vocab;
        if (filterK || params.topP() < 1) {
            Integer[] order = new Integer[vocab];
            for (int i = 0; i < vocab; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
            double total = 0;
            for (double p : probs) {
                total += p;
            }
            int keep = filterK ? params.topK() : vocab;
            double cumulative = 0;
            for (int r = 0; r < keep; r++) {
                cumulative += probs[order[r]] / total;
                if (cumulative >= params.topP()) {
                    keep = r + 1;
                    break;
                }
            }
            for (int r = keep; r < vocab; r++) {
                probs[order[r]] = 0;
            }
        }
        double sum = 0;
        for (double p : probs) {
            sum += p;
        }
        for (int i = 0; i < vocab; i++) {
            probs[i] /= sum;
        }
        return probs;
    }

    /** Draws from a distribution such as {@link #distribution} returns. */
    public int draw(double[] probs) {
        double u = random.nextDouble();
        double cumulative = 0;
        int last = 0;
        for (int i = 0; i < probs.length; i++) {
            if (probs[i] > 0) {
                cumulative += probs[i];
                last = i;
                if (u < cumulative) {
                    return i;
                }
            }
        }
        return last;
    }

    public int sample(float[] logits) {
        return draw(distribution(logits));
    }

    /**
     * The next token at logits row {@code row} of plan {@code plan}: the argmax, reduced on the
     * device, when greedy, else a draw. Every strategy picks its tokens here or with {@link #next(float[])}.
     */
    public int next(StepOutput output, int plan, int row) {
        return params.greedy() ? output.argmax(plan, row) : sample(output.logits(plan, row));
    }

    /** The next token from logits a strategy has already edited (e.g. masked): the argmax when greedy, else a draw. */
    public int next(float[] logits) {
        return params.greedy() ? argmax(logits) : sample(logits);
    }

    private static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
