package dev.braid.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PagedKvCacheTest {

    private static final int BLOCK = 4;

    /** A live sequence with the K values it should read back, one per position. */
    private record Tracked(BlockTable table, List<Float> expected) {
    }

    /** The same 192 positions in blocks of four, and in blocks of one (the default: no partial blocks). */
    @ParameterizedTest
    @ValueSource(ints = {BLOCK, 1})
    void randomisedOperationsKeepSequencesIsolatedAndReturnEveryBlock(int blockSize) {
        KvCacheSpec spec = new KvCacheSpec(blockSize, 192 / blockSize, 2, 1, 2);
        Random random = new Random(42);
        int refused = 0;
        int forks = 0;
        try (PagedKvCache cache = new PagedKvCache(spec, Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            List<Tracked> live = new ArrayList<>();
            float nextValue = 1;
            for (int op = 0; op < 1000; op++) {
                int kind = live.isEmpty() ? 0 : random.nextInt(10);
                if (kind == 0) {
                    live.add(new Tracked(cache.newSequence(), new ArrayList<>()));
                } else if (kind <= 5) {
                    Tracked seq = live.get(random.nextInt(live.size()));
                    int tokens = 1 + random.nextInt(8);
                    int freeBefore = cache.pool().freeBlocks();
                    if (!cache.reserve(seq.table(), tokens)) {
                        refused++;
                        assertThat(cache.pool().freeBlocks()).isEqualTo(freeBefore);
                        continue;
                    }
                    float[] rows = new float[tokens * 2];
                    for (int t = 0; t < tokens; t++) {
                        rows[2 * t] = nextValue;
                        rows[2 * t + 1] = -nextValue;
                        seq.expected().add(nextValue++);
                    }
                    NDArray k = manager.create(rows, new Shape(tokens, 1, 2));
                    NDArray v = k.mul(10);
                    cache.commit(seq.table(), new int[tokens], new NDArray[] {k, k.add(1000)}, new NDArray[] {v, v.add(1000)});
                } else if (kind <= 7) {
                    Tracked parent = live.get(random.nextInt(live.size()));
                    live.add(new Tracked(cache.fork(parent.table()), new ArrayList<>(parent.expected())));
                    forks++;
                } else {
                    Tracked seq = live.remove(random.nextInt(live.size()));
                    cache.free(seq.table());
                }
                if (op % 10 == 0) {
                    assertContents(cache, live);
                    assertReferenceCounts(cache, live);
                }
            }
            assertContents(cache, live);
            for (Tracked seq : live) {
                cache.free(seq.table());
            }
            assertThat(cache.pool().freeBlocks()).isEqualTo(spec.numBlocks());
            assertThat(refused).as("the pool ran dry at least once").isPositive();
            assertThat(forks).isPositive();
        }
    }

    private static void assertContents(PagedKvCache cache, List<Tracked> live) {
        for (Tracked seq : live) {
            int length = seq.table().length();
            assertThat(length).isEqualTo(seq.expected().size());
            if (length == 0) {
                continue;
            }
            try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
                float[] keys0 = cache.readKeys(0, seq.table(), scratch).toFloatArray();
                float[] keys1 = cache.readKeys(1, seq.table(), scratch).toFloatArray();
                float[] values0 = cache.readValues(0, seq.table(), scratch).toFloatArray();
                float[] values1 = cache.readValues(1, seq.table(), scratch).toFloatArray();
                for (int p = 0; p < length; p++) {
                    float want = seq.expected().get(p);
                    assertThat(keys0[2 * p]).isEqualTo(want);
                    assertThat(keys0[2 * p + 1]).isEqualTo(-want);
                    assertThat(keys1[2 * p]).isEqualTo(want + 1000);
                    assertThat(values0[2 * p]).isEqualTo(want * 10);
                    assertThat(values1[2 * p + 1]).isEqualTo(-want * 10 + 1000);
                }
            }
        }
    }

    private static void assertReferenceCounts(PagedKvCache cache, List<Tracked> live) {
        Map<Integer, Integer> holders = new HashMap<>();
        for (Tracked seq : live) {
            for (int i = 0; i < seq.table().blockCount(); i++) {
                holders.merge(seq.table().block(i), 1, Integer::sum);
            }
        }
        holders.forEach((block, count) -> assertThat(cache.pool().refCount(block)).isEqualTo(count));
        assertThat(cache.pool().usedBlocks()).isEqualTo(holders.size());
    }

    @Test
    void forkSharesBlocksUntilAWriteCopiesThePartialOne() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(BLOCK, 8, 1, 1, 1), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            BlockTable parent = cache.newSequence();
            assertThat(cache.reserve(parent, 6)).isTrue();
            NDArray rows = manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(6, 1, 1));
            cache.commit(parent, new int[6], new NDArray[] {rows}, new NDArray[] {rows});
            BlockTable child = cache.fork(parent);
            assertThat(child.block(0)).isEqualTo(parent.block(0));
            assertThat(child.block(1)).isEqualTo(parent.block(1));
            assertThat(cache.pool().usedBlocks()).isEqualTo(2);

            assertThat(cache.reserve(child, 1)).isTrue();
            assertThat(child.block(0)).as("full block stays shared").isEqualTo(parent.block(0));
            assertThat(child.block(1)).as("partial block copied on write").isNotEqualTo(parent.block(1));
            NDArray seven = manager.create(new float[] {7}, new Shape(1, 1, 1));
            cache.commit(child, new int[1], new NDArray[] {seven}, new NDArray[] {seven});

            float[] childKeys = cache.readKeys(0, child, manager).toFloatArray();
            float[] parentKeys = cache.readKeys(0, parent, manager).toFloatArray();
            assertThat(childKeys).containsExactly(1, 2, 3, 4, 5, 6, 7);
            assertThat(parentKeys).containsExactly(1, 2, 3, 4, 5, 6);

            cache.free(child);
            assertThat(cache.pool().usedBlocks()).isEqualTo(2);
            cache.free(parent);
            assertThat(cache.pool().freeBlocks()).isEqualTo(8);
        }
    }

    @Test
    void claimedRowsOfSeveralSequencesLandInOneWriteAndNoReadSeesThemBefore() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(BLOCK, 8, 1, 1, 1), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            BlockTable first = cache.newSequence();
            BlockTable second = cache.newSequence();
            assertThat(cache.reserve(first, 2)).isTrue();
            assertThat(cache.reserve(second, 3)).isTrue();
            long[] firstSlots = cache.claim(first, new int[2]);
            long[] secondSlots = cache.claim(second, new int[3]);
            assertThat(first.length()).isEqualTo(2);
            assertThatThrownBy(() -> cache.readKeys(0, first, manager))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("5 committed K/V rows");
            assertThatThrownBy(() -> cache.gatherKeys(0, manager.create(new long[] {0}))).isInstanceOf(IllegalStateException.class);

            long[] slots = new long[] {secondSlots[0], firstSlots[0], secondSlots[1], firstSlots[1], secondSlots[2]};
            NDArray rows = manager.create(new float[] {21, 11, 22, 12, 23}, new Shape(5, 1, 1));
            cache.write(slots, new NDArray[] {rows}, new NDArray[] {rows.neg()}, null);
            assertThat(cache.readKeys(0, first, manager).toFloatArray()).containsExactly(11, 12);
            assertThat(cache.readKeys(0, second, manager).toFloatArray()).containsExactly(21, 22, 23);
            assertThat(cache.readValues(0, second, manager).toFloatArray()).containsExactly(-21, -22, -23);
        }
    }

    /** Layer {@code l}'s key of token {@code t}, head {@code h}, component {@code d}; values are its negation. */
    private static float key(int l, int t, int h, int d) {
        return 1000 * (l + 1) + 100 * t + 10 * h + d;
    }

    @Test
    void oneWriteFillsEveryLayerAndHeadFromTheChosenRowsOfTheStep() {
        int layers = 3;
        int heads = 2;
        int dim = 2;
        int tokens = 3;
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(BLOCK, 4, layers, heads, dim), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            NDArray[] keys = new NDArray[layers];
            NDArray[] values = new NDArray[layers];
            for (int l = 0; l < layers; l++) {
                float[] k = new float[tokens * heads * dim];
                for (int t = 0, i = 0; t < tokens; t++) {
                    for (int h = 0; h < heads; h++) {
                        for (int d = 0; d < dim; d++) {
                            k[i++] = key(l, t, h, d);
                        }
                    }
                }
                keys[l] = manager.create(k, new Shape(tokens, heads, dim));
                values[l] = keys[l].neg();
            }
            BlockTable table = cache.newSequence();
            assertThat(cache.reserve(table, 2)).isTrue();
            // the step's rows 2 and 0, in that order, become the sequence's positions 0 and 1
            long[] slots = cache.claim(table, new int[2]);
            cache.write(slots, keys, values, new long[] {2, 0});
            int[] stepRow = {2, 0};
            for (int l = 0; l < layers; l++) {
                float[] readKeys = cache.readKeys(l, table, manager).toFloatArray();
                float[] readValues = cache.readValues(l, table, manager).toFloatArray();
                for (int p = 0, i = 0; p < 2; p++) {
                    for (int h = 0; h < heads; h++) {
                        for (int d = 0; d < dim; d++, i++) {
                            assertThat(readKeys[i]).as("layer %d position %d head %d", l, p, h)
                                    .isEqualTo(key(l, stepRow[p], h, d));
                            assertThat(readValues[i]).isEqualTo(-key(l, stepRow[p], h, d));
                        }
                    }
                }
            }
        }
    }

    @Test
    void commitWithoutReserveIsRefusedAndPoolShortageChangesNothing() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(BLOCK, 2, 1, 1, 1), Device.cpu());
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            BlockTable table = cache.newSequence();
            NDArray row = manager.create(new float[] {1}, new Shape(1, 1, 1));
            assertThatThrownBy(() -> cache.commit(table, new int[1], new NDArray[] {row}, new NDArray[] {row}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("reserved");
            assertThat(cache.reserve(table, 9)).isFalse();
            assertThat(table.blockCount()).isZero();
            assertThat(cache.pool().freeBlocks()).isEqualTo(2);
            assertThat(cache.reserve(table, 8)).isTrue();
            cache.free(table);
            assertThatThrownBy(() -> cache.reserve(table, 1)).hasMessageContaining("freed");
        }
    }
}
