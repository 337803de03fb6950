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

    @Test
    void aSuspendedLeaseHoldsNothingAndResumesItsSequencesInPlaceFromTheCache() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 32, 1, 1, 1), Device.cpu(), true);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] context = {3, 4, 5, 6, 7};
            KvLease lease = new KvLease(cache);
            BlockTable table = lease.newSequence(context);
            assertThat(cache.reserve(table, 5)).isTrue();
            NDArray rows = manager.create(new float[] {1, 2, 3, 4, 5}, new Shape(5, 1, 1));
            cache.commit(table, context, new NDArray[] {rows}, new NDArray[] {rows});
            BlockTable empty = lease.newSequence();
            long[] rowsBefore = table.slots(0, 4);

            lease.suspendAll();
            assertThat(lease.heldBlocks()).isZero();
            assertThat(cache.pool().usedBlocks()).as("only the prefix cache keeps the rows").isZero();
            assertThat(table.isFreed()).isTrue();

            lease.resumeAll();
            // the same handles, started again on the cached rows of what they had committed
            assertThat(table.isFreed()).isFalse();
            assertThat(table.length()).as("all but the last committed token, left for its logits").isEqualTo(4);
            assertThat(table.slots(0, 4)).containsExactly(rowsBefore);
            assertThat(empty.isFreed()).isFalse();
            assertThat(empty.length()).isZero();
            assertThat(lease.cachedTokens()).isEqualTo(4);
            assertThat(lease.heldBlocks()).isEqualTo(4);
            lease.releaseAll();
            assertThat(cache.pool().usedBlocks()).isZero();
        }
    }

    @Test
    void aSequenceFreedWhileSuspendedIsNotResumed() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 32, 1, 1, 1), Device.cpu(), false)) {
            KvLease lease = new KvLease(cache);
            BlockTable first = lease.newSequence(new int[] {1, 2});
            BlockTable second = lease.newSequence(new int[] {3, 4});
            assertThat(cache.reserve(second, 2)).isTrue();
            lease.suspendAll();
            lease.free(first);
            lease.resumeAll();
            assertThat(first.isFreed()).isTrue();
            assertThat(second.isFreed()).isFalse();
            assertThat(second.length()).as("no prefix cache: everything is recomputed").isZero();
        }
    }
}
