package dev.braid.decoding.lookahead;

import dev.braid.decoding.Sampler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks n-gram candidates against the model's own next-token choices. Row 0 holds the model's
 * view after the current token; {@code rows[g][j]} its view after token {@code j} of candidate g.
 */
final class Verification {

    /** The model's output at the rows of one step. */
    interface Rows {
        int argmax(int row);

        /** The next-token distribution after temperature, top-k and top-p. */
        double[] distribution(int row);
    }

    /**
     * The step's outcome: {@code matched} tokens of {@code candidate} were accepted (candidate -1
     * when none), and {@code tokens} holds them plus the model's own next token.
     *
     * @param matchedAmongFirst entry {@code k - 1}: the tokens the step would have accepted had it
     *                          verified only its first {@code k} candidates; null where that is not
     *                          known (sampling draws against the candidates it was given)
     */
    record Verdict(int candidate, int matched, int[] tokens, int[] matchedAmongFirst) {
    }

    private Verification() {
    }

    /** Greedy: the longest candidate prefix that equals the argmax chain, plus the next argmax. */
    static Verdict greedy(int[][] candidates, int[][] rows, Rows model) {
        int best = -1;
        int bestMatched = 0;
        int first = model.argmax(0);
        int[] amongFirst = new int[candidates.length];
        for (int g = 0; g < candidates.length; g++) {
            int matched = 0;
            int expected = first;
            while (matched < candidates[g].length && candidates[g][matched] == expected) {
                expected = model.argmax(rows[g][matched]);
                matched++;
            }
            if (matched > bestMatched) {
                best = g;
                bestMatched = matched;
            }
            amongFirst[g] = bestMatched;
        }
        int[] tokens = new int[bestMatched + 1];
        if (best >= 0) {
            System.arraycopy(candidates[best], 0, tokens, 0, bestMatched);
        }
        tokens[bestMatched] = best < 0 ? first : model.argmax(rows[best][bestMatched - 1]);
        return new Verdict(best, bestMatched, tokens, amongFirst);
    }

    /**
     * Sampling, one candidate token at a time (SpecInfer's multi-candidate rule for deterministic
     * proposals): at each depth, try the distinct next tokens of the candidates still agreeing with
     * what was accepted; accept token t with probability p(t), else set p(t) to 0, renormalise and
     * try the next; when all fail, draw from what is left. Each accepted token is thus a draw from
     * p given the tokens before it — exactly what sampling one token per step would give.
     */
    static Verdict sampled(int[][] candidates, int[][] rows, Rows model, Sampler sampler) {
        List<Integer> alive = new ArrayList<>();
        for (int g = 0; g < candidates.length; g++) {
            alive.add(g);
        }
        int length = candidates.length == 0 ? 0 : candidates[0].length;
        int[] tokens = new int[length + 1];
        double[] p = model.distribution(0);
        int depth = 0;
        while (depth < length) {
            int token = tryCandidates(candidates, alive, depth, p, sampler);
            if (token < 0) {
                break;
            }
            tokens[depth] = token;
            int d = depth;
            alive.removeIf(g -> candidates[g][d] != token);
            p = model.distribution(rows[alive.get(0)][depth]);
            depth++;
        }
        tokens[depth] = sampler.draw(p);
        return new Verdict(depth == 0 ? -1 : alive.get(0), depth, Arrays.copyOf(tokens, depth + 1), null);
    }

    /** The accepted candidate token at {@code depth}, or -1 with {@code p} left as the residual. */
    private static int tryCandidates(int[][] candidates, List<Integer> alive, int depth, double[] p,
                                     Sampler sampler) {
        Set<Integer> tried = new HashSet<>();
        for (int g : alive) {
            int t = candidates[g][depth];
            if (!tried.add(t) || p[t] <= 0) {
                continue;
            }
            if (sampler.draw(new double[] {p[t], 1 - p[t]}) == 0) {
                return t;
            }
            p[t] = 0;
            normalise(p);
        }
        return -1;
    }

    private static void normalise(double[] p) {
        double sum = 0;
        for (double v : p) {
            sum += v;
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
    }
}
