package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.braid.decoding.Sampler;
import dev.braid.decoding.SamplingParams;
import org.junit.jupiter.api.Test;

class VerificationTest {

    /** Synthetic model output: per row, a distribution over a vocabulary of 4. */
    private record FixedRows(double[][] distributions) implements Verification.Rows {
        @Override
        public int argmax(int row) {
            double[] p = distributions[row];
            int best = 0;
            for (int i = 1; i < p.length; i++) {
                if (p[i] > p[best]) {
                    best = i;
                }
            }
            return best;
        }

        @Override
        public double[] distribution(int row) {
            return distributions[row].clone();
        }
    }

    @Test
    void greedyTakesTheLongestMatchingCandidateAndTheModelsNextToken() {
        // argmax chain: row 0 -> 1; after candidate tokens the rows say what follows
        FixedRows rows = new FixedRows(new double[][] {
                {0, 1, 0, 0},            // row 0: next is 1
                {0, 0, 1, 0},            // cand 0 token 0 (=1): next is 2
                {0, 0, 0, 1},            // cand 0 token 1 (=3, wrong): next is 3
                {0, 0, 1, 0},            // cand 1 token 0 (=1): next is 2
                {1, 0, 0, 0},            // cand 1 token 1 (=2, right): next is 0
        });
        int[][] candidates = {{1, 3}, {1, 2}};
        int[][] candidateRows = {{1, 2}, {3, 4}};
        Verification.Verdict verdict = Verification.greedy(candidates, candidateRows, rows);
        assertThat(verdict.candidate()).isEqualTo(1);
        assertThat(verdict.matched()).isEqualTo(2);
        assertThat(verdict.tokens()).containsExactly(1, 2, 0);
        // verifying candidate 0 alone would have accepted its first token, both accept two
        assertThat(verdict.matchedAmongFirst()).containsExactly(1, 2);
    }

    @Test
    void sampledVerificationDoesNotClaimWhatFewerCandidatesWouldHaveAccepted() {
        FixedRows rows = new FixedRows(new double[][] {{0, 1, 0, 0}, {0, 0, 1, 0}});
        Sampler sampler = new Sampler(new SamplingParams(1, 0, 1, 7L), 7);
        Verification.Verdict verdict = Verification.sampled(new int[][] {{1}}, new int[][] {{1}}, rows, sampler);
        assertThat(verdict.matched()).isEqualTo(1);
        assertThat(verdict.matchedAmongFirst()).isNull();
    }

    @Test
    void greedyWithoutAMatchStillYieldsTheModelsToken() {
        FixedRows rows = new FixedRows(new double[][] {{0, 0, 1, 0}, {1, 0, 0, 0}});
        Verification.Verdict verdict = Verification.greedy(new int[][] {{3}}, new int[][] {{1}}, rows);
        assertThat(verdict.candidate()).isEqualTo(-1);
        assertThat(verdict.matched()).isZero();
        assertThat(verdict.tokens()).containsExactly(2);
        assertThat(Verification.greedy(new int[0][], new int[0][], rows).tokens()).containsExactly(2);
    }

    /**
     * Three candidates, two sharing their first token: over many draws, the first token follows row 0
     * and the second, after token 1, follows the row after token 1, whatever was proposed.
     */
    @Test
    void sampledVerificationKeepsTheModelsDistribution() {
        double[] first = {0.1, 0.45, 0.3, 0.15};
        double[] afterOne = {0.2, 0.1, 0.6, 0.1};
        double[] afterTwo = {0.25, 0.25, 0.25, 0.25};
        FixedRows rows = new FixedRows(new double[][] {first, afterOne, afterOne, afterTwo, afterOne, afterOne});
        int[][] candidates = {{1, 2}, {2, 0}, {1, 3}};
        int[][] candidateRows = {{1, 5}, {3, 5}, {2, 4}};
        Sampler sampler = new Sampler(new SamplingParams(1, 0, 1, 11L), 11);
        int draws = 200_000;
        int[] firstCounts = new int[4];
        int[] secondAfterOne = new int[4];
        int afterOneCount = 0;
        int multiToken = 0;
        for (int i = 0; i < draws; i++) {
            Verification.Verdict verdict = Verification.sampled(candidates, candidateRows, rows, sampler);
            int[] tokens = verdict.tokens();
            assertThat(tokens.length).isEqualTo(verdict.matched() + 1);
            if (verdict.matched() > 0) {
                assertThat(candidates[verdict.candidate()]).startsWith(java.util.Arrays.copyOf(tokens, verdict.matched()));
            }
            firstCounts[tokens[0]]++;
            if (tokens[0] == 1 && tokens.length > 1) {
                secondAfterOne[tokens[1]]++;
                afterOneCount++;
            }
            if (tokens.length > 1) {
                multiToken++;
            }
        }
        for (int t = 0; t < 4; t++) {
            assertThat(firstCounts[t] / (double) draws).as("first token %d", t).isCloseTo(first[t], within(0.005));
        }
        // token 1 is proposed, so every sampled 1 comes from acceptance and is followed by a second token
        assertThat(afterOneCount).isEqualTo(firstCounts[1]);
        for (int t = 0; t < 4; t++) {
            assertThat(secondAfterOne[t] / (double) afterOneCount).as("second token %d after 1", t)
                    .isCloseTo(afterOne[t], within(0.008));
        }
        assertThat(multiToken / (double) draws).isCloseTo(0.75, within(0.005));
    }

    @Test
    void sampledVerificationNeverAcceptsATokenTheFiltersRemoved() {
        // top-k already cut token 3: a candidate proposing it must be skipped, never accepted
        FixedRows rows = new FixedRows(new double[][] {{0.5, 0.5, 0, 0}, {1, 0, 0, 0}});
        Sampler sampler = new Sampler(new SamplingParams(1, 2, 1, 3L), 3);
        for (int i = 0; i < 1000; i++) {
            Verification.Verdict verdict = Verification.sampled(new int[][] {{3}}, new int[][] {{1}}, rows, sampler);
            assertThat(verdict.matched()).isZero();
            assertThat(verdict.tokens()[0]).isIn(0, 1);
        }
    }
}
