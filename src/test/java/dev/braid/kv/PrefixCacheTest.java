package dev.braid.kv;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PrefixCacheTest {

    /**
     * The K value a position holds is a hash of every token up to it, as a model's K/V depends on
     * the whole prefix: a row read from the wrong prefix shows up as a wrong value.
     */
    private static float[] prefixValues(int[] tokens, int count) {
        float[] out = new float[count];
        long h = 17;
        for (int i = 0; i < count; i++) {
            h = (h * 31 + tokens[i] + 7) % 1_000_003;
            out[i] = h;
        }
        return out;
    }

    /** Commits {@code context[table.length(), table.length() + count)} with their prefix values. */
    private static void commit(PagedKvCache cache, NDManager manager, BlockTable table, int[] context, int count) {
        int from = table.length();
        assertThat(cache.reserve(table, count)).isTrue();
        float[] all = prefixValues(context, from + count);
        float[] rows = Arrays.copyOfRange(all, from, from + count);
        NDArray k = manager.create(rows, new Shape(count, 1, 1));
        cache.commit(table, Arrays.copyOfRange(context, from, from + count), new NDArray[] {k}, new NDArray[] {k.neg()});
    }

    private static float[] keys(PagedKvCache cache, BlockTable table, NDManager manager) {
        return cache.readKeys(0, table, manager).toFloatArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void aSequenceStartsOnTheLongestCachedPrefixAndLeavesTheLastTokenToCompute(int blockSize) {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(blockSize, 64 / blockSize, 1, 1, 1), Device.cpu(), true);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] first = {5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
            BlockTable a = cache.newSequence(first);
            assertThat(a.length()).isZero();
            commit(cache, manager, a, first, first.length);
            cache.free(a);
            assertThat(cache.pool().cachedBlocks()).isEqualTo(first.length / blockSize);
            assertThat(cache.pool().freeBlocks()).as("idle cached blocks count as free").isEqualTo(64 / blockSize);

            int[] second = {5, 6, 7, 8, 9, 10, 99, 100};
            BlockTable b = cache.newSequence(second);
            int shared = 6 / blockSize * blockSize;
            assertThat(b.length()).isEqualTo(shared);
            assertThat(b.cachedPrefix()).isEqualTo(shared);
            commit(cache, manager, b, second, second.length - shared);
            assertThat(keys(cache, b, manager)).containsExactly(prefixValues(second, second.length));

            BlockTable whole = cache.newSequence(first);
            assertThat(whole.length()).as("the last token is computed again for its logits")
                    .isEqualTo((first.length - 1) / blockSize * blockSize);
            assertThat(keys(cache, whole, manager)).containsExactly(prefixValues(first, whole.length()));
            assertThat(cache.prefixQueriedTokens()).isEqualTo(first.length + second.length + first.length);
            assertThat(cache.prefixHitTokens()).isEqualTo(shared + whole.length());
        }
    }

    @Test
    void withoutPrefixCachingNothingIsKeptOrMatched() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 16, 1, 1, 1), Device.cpu(), false);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] prompt = {1, 2, 3, 4};
            BlockTable a = cache.newSequence(prompt);
            commit(cache, manager, a, prompt, 4);
            cache.free(a);
            assertThat(cache.pool().cachedBlocks()).isZero();
            assertThat(cache.newSequence(prompt).length()).isZero();
            assertThat(cache.prefixHitTokens()).isZero();
        }
    }

    @Test
    void thePoolReclaimsTheLeastRecentlyIdleLeavesFirstAndNeverABlockInUse() {
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(1, 8, 1, 1, 1), Device.cpu(), true);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[] older = {1, 2, 3};
            int[] newer = {1, 2, 4};
            BlockTable a = cache.newSequence(older);
            commit(cache, manager, a, older, 3);
            cache.free(a);
            BlockTable b = cache.newSequence(newer);
            commit(cache, manager, b, newer, 1);
            cache.free(b);
            // cached: 1, 1-2, 1-2-3 and 1-2-4; all idle
            assertThat(cache.pool().cachedBlocks()).isEqualTo(4);
            int[] other = {9, 9, 9, 9, 9};
            BlockTable c = cache.newSequence(other);
            assertThat(cache.reserve(c, 5)).as("4 free and 1 reclaimed").isTrue();
            assertThat(cache.cachedPrefixTokens(new int[] {1, 2, 3, 0})).as("1-2-3 went idle first").isEqualTo(2);
            assertThat(cache.cachedPrefixTokens(new int[] {1, 2, 4, 0})).isEqualTo(3);

            BlockTable held = cache.newSequence(new int[] {1, 2, 4, 0});
            assertThat(held.length()).isEqualTo(3);
            assertThat(cache.pool().freeBlocks()).isZero();
            assertThat(cache.reserve(c, 6)).as("blocks in use are never reclaimed").isFalse();
            assertThat(keys(cache, held, manager)).containsExactly(prefixValues(newer, 3));
        }
    }

    /** A live sequence and the tokens it holds and will commit next. */
    private record Tracked(BlockTable table, int[] context) {
    }

    /**
     * Random sequences over a few shared system prompts, committed, forked, freed and starved of
     * blocks: every sequence reads exactly the rows of its own prefix, reference counts are the
     * holders plus the cache, and at the end every block is free or cached.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void randomisedSharingAndReclaimingKeepEverySequenceOnItsOwnPrefix(int blockSize) {
        Random random = new Random(7);
        int capacity = 96 / blockSize;
        int hits = 0;
        int refused = 0;
        try (PagedKvCache cache = new PagedKvCache(new KvCacheSpec(blockSize, capacity, 1, 1, 1), Device.cpu(), true);
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            int[][] systems = new int[3][];
            for (int s = 0; s < systems.length; s++) {
                systems[s] = random.ints(8 + random.nextInt(12), 0, 5).toArray();
            }
            List<Tracked> live = new ArrayList<>();
            for (int op = 0; op < 1500; op++) {
                int kind = live.isEmpty() ? 0 : random.nextInt(10);
                if (kind <= 1) {
                    int[] system = systems[random.nextInt(systems.length)];
                    int[] context = Arrays.copyOf(system, system.length + 1 + random.nextInt(30));
                    for (int i = system.length; i < context.length; i++) {
                        context[i] = random.nextInt(5);
                    }
                    BlockTable table = cache.newSequence(context);
                    hits += table.length() > 0 ? 1 : 0;
                    live.add(new Tracked(table, context));
                } else if (kind <= 6) {
                    Tracked seq = live.get(random.nextInt(live.size()));
                    int left = seq.context().length - seq.table().length();
                    if (left == 0) {
                        continue;
                    }
                    int count = 1 + random.nextInt(Math.min(left, 8));
                    if (!cache.reserve(seq.table(), count)) {
                        refused++;
                        continue;
                    }
                    commit(cache, manager, seq.table(), seq.context(), count);
                } else if (kind == 7) {
                    Tracked parent = live.get(random.nextInt(live.size()));
                    int[] context = Arrays.copyOf(parent.context(), parent.table().length() + 1 + random.nextInt(10));
                    for (int i = parent.table().length(); i < context.length; i++) {
                        context[i] = random.nextInt(5);
                    }
                    live.add(new Tracked(cache.fork(parent.table()), context));
                } else {
                    cache.free(live.remove(random.nextInt(live.size())).table());
                }
                if (op % 10 == 0) {
                    for (Tracked seq : live) {
                        if (seq.table().length() > 0) {
                            assertThat(keys(cache, seq.table(), manager))
                                    .containsExactly(prefixValues(seq.context(), seq.table().length()));
                        }
                    }
                    assertHolders(cache, live);
                }
            }
            for (Tracked seq : live) {
                cache.free(seq.table());
            }
            assertHolders(cache, List.of());
            assertThat(cache.pool().freeBlocks()).isEqualTo(capacity);
            assertThat(cache.pool().cachedBlocks()).isEqualTo(cache.pool().idleCachedBlocks());
            assertThat(hits).as("sequences started on cached prefixes").isGreaterThan(50);
            assertThat(refused).as("the pool ran dry").isPositive();
            assertThat(cache.prefixHitTokens()).isPositive();
        }
    }

    private static void assertHolders(PagedKvCache cache, List<Tracked> live) {
        Map<Integer, Integer> holders = new HashMap<>();
        for (Tracked seq : live) {
            for (int i = 0; i < seq.table().blockCount(); i++) {
                holders.merge(seq.table().block(i), 1, Integer::sum);
            }
        }
        BlockPool pool = cache.pool();
        int idle = 0;
        for (int block = 0; block < pool.capacity(); block++) {
            int expected = holders.getOrDefault(block, 0) + (pool.isCached(block) ? 1 : 0);
            assertThat(pool.refCount(block)).as("holders of block %d", block).isEqualTo(expected);
            if (pool.isCached(block) && expected == 1) {
                idle++;
            }
        }
        assertThat(pool.idleCachedBlocks()).isEqualTo(idle);
        assertThat(pool.usedBlocks()).isEqualTo(holders.size());
    }
}
