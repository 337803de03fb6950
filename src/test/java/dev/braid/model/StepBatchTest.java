package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.kv.BlockTable;
import dev.braid.kv.KvCacheSpec;
import dev.braid.kv.PagedKvCache;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepBatchTest {

    @Test
    void oneLongContextAttendsApartFromShortOnesAndTheOutputKeepsBatchOrder() {
        int[] contexts = {1600, 40, 50, 1590, 10, 100};
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 4096, 1, 1, 1), Device.cpu())) {
            List<StepPlan> plans = new ArrayList<>();
            for (int context : contexts) {
                BlockTable table = cache.newSequence();
                assertThat(cache.reserve(table, context + 1)).isTrue();
                cache.claim(table, new int[context]);
                plans.add(StepPlan.append(table, new int[] {7}));
            }
            StepBatch batch = new StepBatch(plans);
            assertThat(batch.groups()).extracting(StepBatch.AttentionGroup::maxContext).containsExactly(1600, 100);
            assertThat(batch.groups()).extracting(StepBatch.AttentionGroup::batch).containsExactly(2, 4);
            assertThat(batch.groups().get(0).tokenRows()).containsExactly(0, 3);
            assertThat(batch.groups().get(1).tokenRows()).as("within 128 positions of 100, or at least half of it")
                    .containsExactly(1, 2, 4, 5);
            assertThat(batch.restoreOrder()).containsExactly(0, 2, 3, 1, 4, 5);
        }
    }

    @Test
    void theSharedRunEndsWherePlansPartOrTheShortestContextEndsOrTheSlotsStopFollowingEachOther() {
        // two plans of maxContext 5: the second shares the first's slots 10..12, then has its own
        long[] slots = {10, 11, 12, 13, 14, 10, 11, 12, 40, 41};
        assertThat(StepBatch.sharedRun(slots, 2, 5, 5)).isEqualTo(3);
        assertThat(StepBatch.sharedRun(slots, 2, 5, 2)).as("no further than the shortest context").isEqualTo(2);
        assertThat(StepBatch.sharedRun(slots, 1, 5, 5)).as("a lone plan's whole run").isEqualTo(5);
        assertThat(StepBatch.sharedRun(new long[] {10, 11, 30, 31}, 1, 4, 4)).as("a lone plan's first run").isEqualTo(2);
        assertThat(StepBatch.sharedRun(new long[] {10, 11, 20, 21}, 2, 2, 2)).as("nothing shared").isZero();
    }
}
