package dev.braid.kv;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A worker's paged K/V store. Per layer, K and V are {@code [kvHeads, numBlocks * blockSize, headDim]}
 * tensors addressed by slot (axis 1); sequences reach their slots through {@link BlockTable}s. Heads
 * lead so that gathering a batch's context yields {@code [kvHeads, batch * context, headDim]}, which
 * attention uses as is, with no transpose of the large context tensors.
 *
 * <p>Not thread-safe: one {@code DeviceWorker} thread owns a cache.
 */
public final class PagedKvCache implements AutoCloseable {

    private final KvCacheSpec spec;
    private final BlockPool pool;
    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private int unwrittenRows;

    public PagedKvCache(KvCacheSpec spec, Device device) {
        this.spec = spec;
        this.pool = new BlockPool(spec.numBlocks());
        this.manager = NDManager.newBaseManager(device);
        this.keys = new NDArray[spec.numLayers()];
        this.values = new NDArray[spec.numLayers()];
        Shape shape = new Shape(spec.kvHeads(), spec.rows(), spec.headDim());
        for (int layer = 0; layer < spec.numLayers(); layer++) {
            keys[layer] = manager.zeros(shape, DataType.FLOAT32);
            values[layer] = manager.zeros(shape, DataType.FLOAT32);
        }
    }

    public KvCacheSpec spec() {
        return spec;
    }

    public BlockPool pool() {
        return pool;
    }

    public NDArray keys(int layer) {
        requireWritten();
        return keys[layer];
    }

    public NDArray values(int layer) {
        requireWritten();
        return values[layer];
    }

    public BlockTable newSequence() {
        return new BlockTable(spec.blockSize());
    }

    /** A child that shares every committed block of {@code parent}; writes copy on demand. */
    public BlockTable fork(BlockTable parent) {
        requireLive(parent);
        BlockTable child = new BlockTable(spec.blockSize());
        int shared = parent.blocksFor(parent.length());
        for (int i = 0; i < shared; i++) {
            pool.retain(parent.block(i));
            child.add(parent.block(i));
        }
        child.advance(parent.length());
        return child;
    }

    /** Blocks a {@link #reserve} of {@code tokens} more positions would take from the pool. */
    public int blocksNeeded(BlockTable table, int tokens) {
        int needed = Math.max(0, table.blocksFor(table.length() + tokens) - table.blockCount());
        int firstWritten = table.length() / spec.blockSize();
        int lastHeld = Math.min(table.blockCount(), table.blocksFor(table.length() + tokens));
        for (int i = firstWritten; i < lastHeld; i++) {
            if (pool.refCount(table.block(i)) > 1) {
                needed++;
            }
        }
        return needed;
    }

    /**
     * Makes positions {@code [length, length + tokens)} writable by this sequence alone: allocates
     * missing blocks and copies shared ones. Returns false, changing nothing, when the pool is short.
     */
    public boolean reserve(BlockTable table, int tokens) {
        requireLive(table);
        if (blocksNeeded(table, tokens) > pool.freeBlocks()) {
            return false;
        }
        int end = table.blocksFor(table.length() + tokens);
        for (int i = table.length() / spec.blockSize(); i < Math.min(table.blockCount(), end); i++) {
            int block = table.block(i);
            if (pool.refCount(block) > 1) {
                int copy = pool.allocate();
                copyBlock(block, copy);
                pool.release(block);
                table.replace(i, copy);
            }
        }
        while (table.blockCount() < end) {
            table.add(pool.allocate());
        }
        return true;
    }

    /**
     * Appends K/V rows for the next {@code stepKeys[0].size(0)} positions. Each array is
     * {@code [tokens, kvHeads, headDim]}, one per layer.
     */
    public void commit(BlockTable table, NDArray[] stepKeys, NDArray[] stepValues) {
        int tokens = Math.toIntExact(stepKeys[0].getShape().get(0));
        if (tokens == 0) {
            return;
        }
        write(claim(table, tokens), stepKeys, stepValues);
    }

    /**
     * Advances {@code table} over its next {@code tokens} positions and returns their slots; the
     * rows stay unwritten until {@link #write} fills them, and no step may read the cache before.
     * Claiming every plan's rows first lets one step write them all with one scatter per layer.
     */
    public long[] claim(BlockTable table, int tokens) {
        requireLive(table);
        int end = table.blocksFor(table.length() + tokens);
        if (end > table.blockCount()) {
            throw new IllegalStateException("commit of " + tokens + " rows past the reserved blocks");
        }
        for (int i = table.length() / spec.blockSize(); i < end; i++) {
            if (pool.refCount(table.block(i)) != 1) {
                throw new IllegalStateException("commit into shared block " + table.block(i) + " without reserve");
            }
        }
        long[] slots = table.slots(table.length(), tokens);
        table.advance(tokens);
        unwrittenRows += tokens;
        return slots;
    }

    /**
     * Fills claimed slots. Each array is {@code [slots.length, kvHeads, headDim]}, one per layer,
     * row {@code i} for {@code slots[i]}.
     */
    public void write(long[] slots, NDArray[] stepKeys, NDArray[] stepValues) {
        if (slots.length == 0) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDIndex index = slotIndex(scratch.create(slots));
            for (int layer = 0; layer < spec.numLayers(); layer++) {
                keys[layer].set(index, stepKeys[layer].transpose(1, 0, 2));
                values[layer].set(index, stepValues[layer].transpose(1, 0, 2));
            }
        }
        unwrittenRows -= slots.length;
    }

    /** Refuses to read K/V while claimed rows are unwritten: attention would see stale rows. */
    public void requireWritten() {
        if (unwrittenRows != 0) {
            throw new IllegalStateException(unwrittenRows + " committed K/V rows were never written to the cache"
                    + " (StepOutput.flush)");
        }
    }

    /** Gives back every block only this sequence holds; shared blocks lose one holder. */
    public void free(BlockTable table) {
        if (table.isFreed()) {
            return;
        }
        for (int i = 0; i < table.blockCount(); i++) {
            pool.release(table.block(i));
        }
        table.markFreed();
    }

    /** Drops reserved blocks past the committed length, e.g. after a speculative step. */
    public void trimReserved(BlockTable table) {
        int keep = table.blocksFor(table.length());
        for (int i = keep; i < table.blockCount(); i++) {
            pool.release(table.block(i));
        }
        table.truncateBlocks(keep);
    }

    private void copyBlock(int from, int to) {
        requireWritten();
        try (NDManager scratch = manager.newSubManager()) {
            NDIndex source = slotIndex(scratch.arange(
                    from * spec.blockSize(), (from + 1) * spec.blockSize(), 1, DataType.INT64));
            NDIndex target = slotIndex(scratch.arange(
                    to * spec.blockSize(), (to + 1) * spec.blockSize(), 1, DataType.INT64));
            for (int layer = 0; layer < spec.numLayers(); layer++) {
                NDArray k = keys[layer].get(source);
                k.attach(scratch);
                keys[layer].set(target, k);
                NDArray v = values[layer].get(source);
                v.attach(scratch);
                values[layer].set(target, v);
            }
        }
    }

    /** Index selecting slots (axis 1) of a layer's K or V store. */
    public static NDIndex slotIndex(NDArray slots) {
        return new NDIndex(":, {}", slots);
    }

    /** A sequence's committed keys of one layer, {@code [length, kvHeads, headDim]}; for inspection. */
    public NDArray readKeys(int layer, BlockTable table, NDManager into) {
        return read(keys[layer], table, into);
    }

    /** A sequence's committed values of one layer, {@code [length, kvHeads, headDim]}; for inspection. */
    public NDArray readValues(int layer, BlockTable table, NDManager into) {
        return read(values[layer], table, into);
    }

    private NDArray read(NDArray store, BlockTable table, NDManager into) {
        requireWritten();
        NDArray rows = store.get(slotIndex(into.create(table.slots(0, table.length())))).transpose(1, 0, 2);
        rows.attach(into);
        return rows;
    }

    private static void requireLive(BlockTable table) {
        if (table.isFreed()) {
            throw new IllegalStateException("sequence was already freed");
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
