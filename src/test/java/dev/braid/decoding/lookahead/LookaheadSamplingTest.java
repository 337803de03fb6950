package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyRuns;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Sampled lookahead draws from the same distribution as sampled AR. The prompt is llama-tiny's own
 * looping output, so the pool holds n-grams the model likes and candidates are often accepted; top-k
 * 4 concentrates the distribution on few token pairs, which gives the comparison its power and checks
 * that the filters apply before verification.
 */
class LookaheadSamplingTest {

    private static final int RUNS = 500;
    /** The standard normal quantile of 0.999: the test fails a fair verifier once in a thousand seeds sets. */
    private static final double Z = 3.09;

    @Test
    void sampledLookaheadMatchesSampledArFrequencies() throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu())) {
            int[] prompt = loopingPrompt();
            Map<List<Integer>, Integer> ar = firstPairs(model, new AutoregressiveStrategy(), prompt);
            Map<List<Integer>, Integer> lookahead = firstPairs(model, new LookaheadStrategy(), prompt);

            // categories with enough samples to be compared one by one; the rest are pooled
            Set<List<Integer>> keys = new HashSet<>(ar.keySet());
            keys.addAll(lookahead.keySet());
            double chiSquare = 0;
            int categories = 0;
            int otherAr = 0;
            int otherLookahead = 0;
            for (List<Integer> key : keys) {
                int a = ar.getOrDefault(key, 0);
                int b = lookahead.getOrDefault(key, 0);
                if (a + b >= 10) {
                    chiSquare += (double) (a - b) * (a - b) / (a + b);
                    categories++;
                } else {
                    otherAr += a;
                    otherLookahead += b;
                }
            }
            if (otherAr + otherLookahead > 0) {
                chiSquare += (double) (otherAr - otherLookahead) * (otherAr - otherLookahead) / (otherAr + otherLookahead);
                categories++;
            }
            assertThat(categories).as("enough distinct outcomes to compare").isGreaterThanOrEqualTo(5);
            int df = categories - 1;
            double h = 2.0 / (9 * df);
            double critical = df * Math.pow(1 - h + Z * Math.sqrt(h), 3);
            assertThat(chiSquare).as("two-sample chi-square over %d categories, AR %s vs lookahead %s", categories,
                    ar, lookahead).isLessThan(critical);
        }
    }

    /** The reference case's prompt and greedy output up to a point where the pool offers two continuations. */
    private static int[] loopingPrompt() {
        ReferenceCase c = ReferenceCase.load("llama-tiny").get(0);
        int taken = 28;
        int[] prompt = new int[c.promptIds().length + taken];
        System.arraycopy(c.promptIds(), 0, prompt, 0, c.promptIds().length);
        System.arraycopy(c.greedyNewIds(), 0, prompt, c.promptIds().length, taken);
        return prompt;
    }

    private static Map<List<Integer>, Integer> firstPairs(LoadedModel model, DecodingStrategy strategy, int[] prompt)
            throws Exception {
        List<StrategyRuns.Job> jobs = new ArrayList<>();
        for (long seed = 0; seed < RUNS; seed++) {
            jobs.add(new StrategyRuns.Job(strategy, new GenerationRequest(prompt, new SamplingParams(1, 4, 1, seed),
                    new StopCriteria(Set.of(), List.of(), 3))));
        }
        List<GenerationResult> results = StrategyRuns.alone(model, jobs);
        Map<List<Integer>, Integer> counts = new HashMap<>();
        int steps = 0;
        for (GenerationResult result : results) {
            int[] tokens = result.first().tokenIds();
            assertThat(tokens).hasSize(3);
            counts.merge(List.of(tokens[0], tokens[1]), 1, Integer::sum);
            steps += result.steps();
        }
        if (strategy instanceof LookaheadStrategy) {
            assertThat(steps).as("candidates were accepted, so the verifier was exercised").isLessThan(RUNS * 3 * 9 / 10);
        }
        return counts;
    }
}
