package dev.braid.kv;

import java.util.Arrays;

/**
 * One sequence's view of the paged cache: the blocks it holds, in order, and how many token
 * positions hold committed K/V rows. Blocks past {@link #length()} may be reserved but unwritten.
 */
public final class BlockTable {

    private final int blockSize;
    private int[] blocks = new int[4];
    private int blockCount;
    private int length;
    private boolean freed;

    BlockTable(int blockSize) {
        this.blockSize = blockSize;
    }

    public int length() {
        return length;
    }

    public int blockCount() {
        return blockCount;
    }

    public int block(int index) {
        return blocks[index];
    }

    public int blockSize() {
        return blockSize;
    }

    public boolean isFreed() {
        return freed;
    }

    /** Row indices in the flattened pool for positions {@code [from, from + count)}. */
    public long[] slots(int from, int count) {
        long[] slots = new long[count];
        for (int i = 0; i < count; i++) {
            int position = from + i;
            slots[i] = (long) blocks[position / blockSize] * blockSize + position % blockSize;
        }
        return slots;
    }

    /** Writes the slot rows of positions {@code [0, length)} into {@code target} at {@code offset}. */
    public void copyContextSlots(long[] target, int offset) {
        for (int position = 0; position < length; position++) {
            target[offset + position] = (long) blocks[position / blockSize] * blockSize + position % blockSize;
        }
    }

    int blocksFor(int tokens) {
        return (tokens + blockSize - 1) / blockSize;
    }

    void add(int block) {
        if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blocks.length * 2);
        }
        blocks[blockCount++] = block;
    }

    void replace(int index, int block) {
        blocks[index] = block;
    }

    void advance(int tokens) {
        length += tokens;
    }

    void truncateBlocks(int count) {
        blockCount = count;
    }

    void markFreed() {
        freed = true;
        blockCount = 0;
        length = 0;
    }
}
