package dev.braid.kv;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reference-counted allocator of fixed-size KV blocks. A block returns to the free list only when
 * its last holder releases it, which is what lets forked sequences share a prefix safely.
 *
 * <p>The prefix cache is one more holder: a block it keeps after every sequence let go is
 * <em>idle</em>, counted as free, and reclaimed (least recently used first) only when an
 * allocation finds the free list empty.
 */
public final class BlockPool {

    /** The prefix cache's side of the pool: told when its blocks go idle or back in use, asked to give one up. */
    interface Reclaimer {
        void idle(int block);

        void inUse(int block);

        /** Gives up one idle block through {@link #uncache}. */
        void reclaimOne();
    }

    private final int[] refCounts;
    private final boolean[] cached;
    private final Deque<Integer> free = new ArrayDeque<>();
    private int idle;
    private int cachedCount;
    private int peakUsed;
    private Reclaimer reclaimer;

    public BlockPool(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV block pool capacity must be positive, got " + capacity);
        }
        refCounts = new int[capacity];
        cached = new boolean[capacity];
        for (int b = 0; b < capacity; b++) {
            free.addLast(b);
        }
    }

    void reclaimWith(Reclaimer reclaimer) {
        this.reclaimer = reclaimer;
    }

    /** Takes a block with reference count 1; the caller checked {@link #freeBlocks()} first. */
    int allocate() {
        if (free.isEmpty() && idle > 0) {
            reclaimer.reclaimOne();
        }
        Integer block = free.pollFirst();
        if (block == null) {
            throw new KvCapacityException("KV block pool exhausted: all " + capacity() + " blocks are in use");
        }
        refCounts[block] = 1;
        peakUsed = Math.max(peakUsed, usedBlocks());
        return block;
    }

    void retain(int block) {
        checkLive(block);
        if (cached[block] && refCounts[block] == 1) {
            idle--;
            reclaimer.inUse(block);
            peakUsed = Math.max(peakUsed, usedBlocks());
        }
        refCounts[block]++;
    }

    void release(int block) {
        checkLive(block);
        if (--refCounts[block] == 0) {
            free.addLast(block);
        } else if (refCounts[block] == 1 && cached[block]) {
            idle++;
            reclaimer.idle(block);
        }
    }

    /** The prefix cache takes a hold on a block a sequence holds. */
    void cache(int block) {
        checkLive(block);
        cached[block] = true;
        cachedCount++;
        refCounts[block]++;
    }

    /** The prefix cache lets go of an idle block, which becomes free. */
    void uncache(int block) {
        if (!cached[block] || refCounts[block] != 1) {
            throw new IllegalStateException("KV block " + block + " is not an idle cached block");
        }
        cached[block] = false;
        cachedCount--;
        idle--;
        release(block);
    }

    public int refCount(int block) {
        return refCounts[block];
    }

    public boolean isCached(int block) {
        return cached[block];
    }

    public int capacity() {
        return refCounts.length;
    }

    /** Blocks a sequence can take now: unallocated ones and idle cached ones. */
    public int freeBlocks() {
        return free.size() + idle;
    }

    /** Blocks held by sequences, cached or not. */
    public int usedBlocks() {
        return capacity() - freeBlocks();
    }

    /** Blocks the prefix cache holds, idle or also held by sequences. */
    public int cachedBlocks() {
        return cachedCount;
    }

    /** Cached blocks no sequence holds. */
    public int idleCachedBlocks() {
        return idle;
    }

    public int peakUsedBlocks() {
        return peakUsed;
    }

    public void resetPeak() {
        peakUsed = usedBlocks();
    }

    private void checkLive(int block) {
        if (refCounts[block] <= 0) {
            throw new IllegalStateException("KV block " + block + " is not allocated");
        }
    }
}
