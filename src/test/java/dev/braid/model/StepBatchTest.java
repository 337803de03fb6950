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
}
