package dev.braid.kv;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reference-counted allocator of fixed-size KV blocks. A block returns to the free list only when
 * its last holder releases it, which is what lets forked sequences share a prefix safely.
 */
public final class BlockPool {

    private final int[] refCounts;
    private final Deque<Integer> free = new ArrayDeque<>();
    private int peakUsed;

    public BlockPool(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("KV block pool capacity must be positive, got " + capacity);
        }
        refCounts = new int[capacity];
        for (int b = 0; b < capacity; b++) {
            free.addLast(b);
        }
    }

    /** Takes a free block with reference count 1; the caller checked {@link #freeBlocks()} first. */
    int allocate() {
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
        refCounts[block]++;
    }

    void release(int block) {
        checkLive(block);
        if (--refCounts[block] == 0) {
            free.addLast(block);
        }
    }

    public int refCount(int block) {
        return refCounts[block];
    }

    public int capacity() {
        return refCounts.length;
    }

    public int freeBlocks() {
        return free.size();
    }

    public int usedBlocks() {
        return capacity() - free.size();
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
