package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.braid.kv.BlockTable;
import dev.braid.kv.PagedKvCache;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.model.StepBatch;
import dev.braid.model.StepOutput;
import dev.braid.model.StepPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LookaheadStepTest {

    private static LoadedModel model;
    private static PagedKvCache cache;

    @BeforeAll
    static void load() {
        model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
        cache = new PagedKvCache(model.transformer().cacheSpec(16, 32), Device.cpu());
    }

    @AfterAll
    static void close() {
        cache.close();
        model.close();
    }

    /**
     * W = 3, N = 4 with columns at different fill (3, 2 and 1 levels), two candidates of three tokens,
     * behind three pending tokens: p = 2.
     */
    private static LookaheadStep sampleStep(BlockTable table) {
        LookaheadWindow window = new LookaheadWindow(3, 4, new int[] {50}, new SplittableRandom(1));
        window.advance(0, 12, 100);
        window.advance(0, 12, 101);
        window.advance(1, 12, 110);
        return LookaheadStep.build(table, new int[] {10, 11, 12}, window, 3,
                List.of(new int[] {20, 21, 22}, new int[] {30, 31, 32}));
    }

    @Test
    void laysOutBothBranchesBehindThePendingTokens() {
        LookaheadStep step = sampleStep(cache.newSequence());
        StepPlan plan = step.plan();
        // pending, levels below the top, current, top levels, candidates
        assertThat(plan.tokens()).containsExactly(10, 11, 100, 50, 12, 101, 110, 50, 20, 21, 22, 30, 31, 32);
        assertThat(plan.positions()).containsExactly(0, 1, 3, 3, 2, 4, 4, 4, 3, 4, 5, 3, 4, 5);
        assertThat(plan.logitsFrom()).as("logits from the current token on").isEqualTo(4);
        assertThat(step.topRow(0)).isEqualTo(1);
        assertThat(step.topRow(2)).isEqualTo(3);
        assertThat(step.candidateRow(1, 2)).isEqualTo(9);
        assertThat(step.commitIndices(1, 2)).containsExactly(0, 1, 4, 11, 12);
        assertThat(step.commitIndices(-1, 0)).containsExactly(0, 1, 4);

        assertThat(visible(plan, 4)).as("current token").containsExactly(0, 1, 4);
        assertThat(visible(plan, 3)).as("column 1, level 0").containsExactly(0, 1, 3, 4);
        assertThat(visible(plan, 5)).as("column 0, level 2").containsExactly(0, 1, 2, 4, 5);
        assertThat(visible(plan, 6)).as("column 1, level 1").containsExactly(0, 1, 3, 4, 6);
        assertThat(visible(plan, 7)).as("column 2, level 0").containsExactly(0, 1, 3, 4, 7);
        assertThat(visible(plan, 10)).as("candidate 0, last token").containsExactly(0, 1, 4, 8, 9, 10);
        assertThat(visible(plan, 12)).as("candidate 1, middle token").containsExactly(0, 1, 4, 11, 12);
        assertThat(visible(plan, 1)).as("pending tokens see no guesses").containsExactly(0, 1);
    }

    @Test
    void everyTokenSeesExactlyOneTokenAtEachEarlierPosition() {
        StepPlan plan = sampleStep(cache.newSequence()).plan();
        for (int q = 0; q < plan.queryCount(); q++) {
            List<Integer> positions = new ArrayList<>();
            for (int k : visible(plan, q)) {
                positions.add(plan.positions()[k]);
            }
            positions.sort(null);
            for (int i = 0; i < positions.size(); i++) {
                assertThat(positions.get(i)).as("query %d sees a run of consecutive positions", q).isEqualTo(i);
            }
            assertThat(positions).last().isEqualTo(plan.positions()[q]);
        }
    }

    /**
     * The mask does what it promises on the real model: each token's logits in the combined step equal
     * those of a plain causal pass over the tokens it sees.
     */
    @Test
    void eachRowMatchesAPlainPassOverWhatItSees() {
        StepPlan plan = sampleStep(cache.newSequence()).plan().withAllLogits();
        try (NDScope ignored = new NDScope()) {
            StepOutput combined = model.transformer().forward(new StepBatch(List.of(plan)), cache);
            for (int q = 0; q < plan.queryCount(); q++) {
                List<Integer> keys = visible(plan, q);
                keys.sort((a, b) -> Integer.compare(plan.positions()[a], plan.positions()[b]));
                int[] context = keys.stream().mapToInt(k -> plan.tokens()[k]).toArray();
                StepOutput alone = model.transformer().forward(
                        new StepBatch(List.of(StepPlan.append(cache.newSequence(), context))), cache);
                float[] expected = alone.logits(0, 0);
                float[] actual = combined.logits(0, q);
                for (int v = 0; v < expected.length; v++) {
                    assertThat(actual[v]).as("query %d, vocab %d", q, v).isCloseTo(expected[v], within(1e-4f));
                }
            }
        }
    }

    @Test
    void withoutBranchesTheStepIsAPlainAppend() {
        LookaheadWindow window = new LookaheadWindow(4, 3, new int[] {50}, new SplittableRandom(1));
        StepPlan plan = LookaheadStep.build(cache.newSequence(), new int[] {10, 11}, window, 0, List.of()).plan();
        assertThat(plan.tokens()).containsExactly(10, 11);
        assertThat(plan.positions()).containsExactly(0, 1);
        assertThat(plan.logitsFrom()).isEqualTo(1);
        assertThat(visible(plan, 1)).containsExactly(0, 1);
    }

    private static List<Integer> visible(StepPlan plan, int query) {
        List<Integer> keys = new ArrayList<>();
        for (int k = 0; k < plan.queryCount(); k++) {
            if (plan.mask().sees(query, k)) {
                keys.add(k);
            }
        }
        return keys;
    }
}
