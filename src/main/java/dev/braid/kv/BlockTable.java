package dev.braid.kv;

import java.util.Arrays;

/**
 * One sequence's view of the paged cache: the blocks it holds, in order, the token ids of its
 * committed positions, and how many positions hold committed K/V rows. Blocks past
 * {@link #length()} may be reserved but unwritten.
 */
public final class BlockTable {

    private final int blockSize;
    private int[] blocks = new int[4];
    private int blockCount;
    private int[] tokens = new int[16];
    private int length;
    private boolean freed;
    /** The prefix-cache node of block {@code indexedBlocks - 1}; null while nothing is indexed. */
    private PrefixCache.Node indexed;
    private int indexedBlocks;
    private int cachedPrefix;

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

    /** Positions this sequence found in the prefix cache when it was created. */
    public int cachedPrefix() {
        return cachedPrefix;
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

    /** Commits the next positions, holding {@code ids}. */
    void advance(int[] ids) {
        if (length + ids.length > tokens.length) {
            tokens = Arrays.copyOf(tokens, Math.max(tokens.length * 2, length + ids.length));
        }
        System.arraycopy(ids, 0, tokens, length, ids.length);
        length += ids.length;
    }

    /** Starts this table as a copy of {@code parent}'s committed positions, sharing its index position. */
    void copyFrom(BlockTable parent) {
        tokens = Arrays.copyOf(parent.tokens, Math.max(parent.length, 16));
        length = parent.length;
        indexed = parent.indexed;
        indexedBlocks = parent.indexedBlocks;
    }

    /** Starts this table on a cached prefix: the path's blocks, already retained for it. */
    void startOn(PrefixCache.Node[] path, int[] ids) {
        for (PrefixCache.Node node : path) {
            add(node.block());
        }
        advance(Arrays.copyOf(ids, path.length * blockSize));
        if (path.length > 0) {
            indexed = path[path.length - 1];
        }
        indexedBlocks = path.length;
        cachedPrefix = length;
    }

    /**
     * Indexes every block this table filled since the last call, in order. A block whose prefix
     * another sequence indexed first is swapped for that one, so the two share it from now on.
     */
    void indexFullBlocks(PrefixCache prefixes) {
        while ((indexedBlocks + 1) * blockSize <= length) {
            PrefixCache.Node parent = indexed == null ? prefixes.root() : indexed;
            PrefixCache.Node node = prefixes.insert(parent, tokens, indexedBlocks * blockSize, blocks[indexedBlocks]);
            if (node.block() != blocks[indexedBlocks]) {
                prefixes.adopt(node, blocks[indexedBlocks]);
                blocks[indexedBlocks] = node.block();
            }
            indexed = node;
            indexedBlocks++;
        }
    }

    void truncateBlocks(int count) {
        blockCount = count;
    }

    /** The token ids of the committed positions. */
    int[] committedTokens() {
        return Arrays.copyOf(tokens, length);
    }

    /** A freed table made empty and live again, for its owner to start anew. */
    void reopen() {
        freed = false;
        blockCount = 0;
        length = 0;
        indexed = null;
        indexedBlocks = 0;
        cachedPrefix = 0;
    }

    void markFreed() {
        freed = true;
        blockCount = 0;
        length = 0;
    }
}
