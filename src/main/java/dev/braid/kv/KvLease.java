package dev.braid.kv;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One task's handle on its worker's KV cache: the sequences it may create, fork, trim and free, and
 * nothing else of the cache. The lease records every table it handed out, so the worker releases a
 * task's blocks, counts its peak and its prefix-cache hits without asking the strategy.
 *
 * <p>Used on the worker's thread alone, as the cache is.
 */
public final class KvLease {

    private final PagedKvCache cache;
    private final List<BlockTable> tables = new ArrayList<>();
    private long cachedTokens;
    /** While the task is preempted: what each of {@link #tables} had committed; null otherwise. */
    private Map<BlockTable, int[]> suspended;

    public KvLease(PagedKvCache cache) {
        this.cache = cache;
    }

    /** An empty sequence: for one whose context comes from a fork, or that holds nothing yet. */
    public BlockTable newSequence() {
        return held(cache.newSequence());
    }

    /** A sequence for {@code context}, started on the longest cached prefix of it ({@link PagedKvCache#newSequence(int[])}). */
    public BlockTable newSequence(int[] context) {
        BlockTable table = cache.newSequence(context);
        cachedTokens += table.cachedPrefix();
        return held(table);
    }

    /** A child sharing every committed block of {@code parent}. */
    public BlockTable fork(BlockTable parent) {
        return held(cache.fork(parent));
    }

    /** Gives back the blocks only this sequence holds; a freed or foreign table is left alone. */
    public void free(BlockTable table) {
        if (tables.remove(table)) {
            if (suspended != null) {
                suspended.remove(table);
            }
            cache.free(table);
        }
    }

    /** Drops reserved blocks past the committed length, e.g. after a speculative step. */
    public void trimReserved(BlockTable table) {
        cache.trimReserved(table);
    }

    /** Blocks a reserve of {@code tokens} more positions would take from the pool. */
    public int blocksNeeded(BlockTable table, int tokens) {
        return cache.blocksNeeded(table, tokens);
    }

    /** Whether sequences for a context start from what the cache holds of it. */
    public boolean prefixCaching() {
        return cache.prefixCaching();
    }

    /** Blocks the pool can give now, to this task and every other. */
    public int freeBlocks() {
        return cache.pool().freeBlocks();
    }

    /** Frees every sequence the task still holds: it ended or failed. */
    public void releaseAll() {
        for (BlockTable table : tables) {
            cache.free(table);
        }
        tables.clear();
        suspended = null;
    }

    /**
     * Frees the blocks of every sequence the task holds but keeps the sequences, remembering what each
     * had committed: the task was preempted, and holds nothing while it waits.
     */
    public void suspendAll() {
        if (suspended != null) {
            return;
        }
        suspended = new IdentityHashMap<>();
        for (BlockTable table : tables) {
            suspended.put(table, table.committedTokens());
            cache.free(table);
        }
    }

    /**
     * Starts every suspended sequence again, in place, on what the prefix cache still holds of what it
     * had committed; the task's next plans recompute the rest, as they would any pending tokens.
     */
    public void resumeAll() {
        if (suspended == null) {
            return;
        }
        for (BlockTable table : tables) {
            cache.restart(table, suspended.get(table));
            cachedTokens += table.cachedPrefix();
        }
        suspended = null;
    }

    /** Blocks the task's sequences hold now, a block shared by several counted once. */
    public int heldBlocks() {
        if (tables.size() == 1) {
            return tables.get(0).blockCount(); // a table never holds a block twice
        }
        Set<Integer> blocks = new HashSet<>();
        for (BlockTable table : tables) {
            for (int i = 0; i < table.blockCount(); i++) {
                blocks.add(table.block(i));
            }
        }
        return blocks.size();
    }

    /** Context tokens the task's sequences found in the prefix cache, summed. */
    public long cachedTokens() {
        return cachedTokens;
    }

    private BlockTable held(BlockTable table) {
        tables.add(table);
        return table;
    }
}
