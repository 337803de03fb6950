package dev.braid.kv;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class KvLeaseTest {

    @Test
    void theLeaseCountsSharedBlocksOnceAndReleasesEverySequenceItHandedOut() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 32, 1, 1, 1), Device.cpu(), true);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] prompt = {3, 4, 5, 6};
            KvLease first = new KvLease(cache);
            BlockTable root = first.newSequence(prompt);
            assertThat(cache.reserve(root, 4)).isTrue();
            NDArray rows = manager.create(new float[] {1, 2, 3, 4}, new Shape(4, 1, 1));
            cache.commit(root, prompt, new NDArray[] {rows}, new NDArray[] {rows});
            BlockTable child = first.fork(root);
            assertThat(cache.reserve(child, 1)).isTrue();
            assertThat(first.heldBlocks()).as("four shared, one of the child's own").isEqualTo(5);
            first.free(child);
            first.free(child); // a second free changes nothing
            assertThat(first.heldBlocks()).isEqualTo(4);
            first.releaseAll();
            assertThat(cache.pool().usedBlocks()).isZero();
            assertThat(first.cachedTokens()).isZero();

            KvLease second = new KvLease(cache);
            BlockTable again = second.newSequence(prompt);
            assertThat(again.length()).isEqualTo(3);
            assertThat(second.cachedTokens()).as("all but the last prompt token").isEqualTo(3);
            second.releaseAll();
            assertThat(cache.pool().usedBlocks()).isZero();
        }
    }
}
