package dev.braid.kv;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import java.util.ArrayList;
import java.util.List;

/**
 * A worker's paged K/V store: one {@code [2 * layers, kvHeads * slots, headDim]} tensor, layer
 * {@code l}'s keys at {@code 2l} and its values at {@code 2l + 1}, each a matrix whose row {@code
 * h * slots + s} is head {@code h}'s vector for slot {@code s} ({@code slots = numBlocks *
 * blockSize}). Each layer reads its keys (or values) through a fixed view of its matrix, and a step
 * writes the rows of all layers with one scatter: a write per layer was two dozen native calls a step
 * on a six-layer model. A matrix per part keeps a sequence's rows next to each other, as the gathers
 * of long contexts read them. Sequences reach their slots through {@link BlockTable}s. Heads lead so that
 * gathering a batch's context head by head yields {@code [kvHeads, batch * context, headDim]}, which
 * attention uses with no transpose of the large context tensors; and a gather of whole rows from a
 * matrix is PyTorch's embedding lookup, several times cheaper than advanced indexing along an inner
 * axis.
 *
 * <p>Not thread-safe: one {@code DeviceWorker} thread owns a cache.
 */
public final class PagedKvCache implements AutoCloseable {

    private final KvCacheSpec spec;
    private final BlockPool pool;
    private final NDManager manager;
    /** Every layer's K and V rows: see the class comment. */
    private final NDArray store;
    /** Views of {@link #store}'s matrices, by layer. */
    private final NDArray[] keys;
    private final NDArray[] values;
    /** The same matrices by head, {@code [kvHeads, 1, slots, headDim]}: a run of consecutive slots is a slice of them. */
    private final NDArray[] keysByHead;
    private final NDArray[] valuesByHead;
    /** Null when prefix caching is off. */
    private final PrefixCache prefixes;
    private int unwrittenRows;
    /** Tables with claimed rows not yet written: their full blocks join the prefix cache at {@link #write}. */
    private final List<BlockTable> claimedTables = new ArrayList<>();

    /** A cache whose sequences share nothing they did not fork: no prefix caching. */
    public PagedKvCache(KvCacheSpec spec, Device device) {
        this(spec, device, false);
    }

    /**
     * @param prefixCaching keep committed full blocks indexed by their token prefix after their
     *                      sequences end, so later sequences start from the longest cached prefix
     */
    public PagedKvCache(KvCacheSpec spec, Device device, boolean prefixCaching) {
        this.spec = spec;
        this.pool = new BlockPool(spec.numBlocks());
        this.prefixes = prefixCaching ? new PrefixCache(pool, spec.blockSize()) : null;
        this.manager = NDManager.newBaseManager(device);
        this.store = manager.zeros(new Shape(2L * spec.numLayers(), (long) spec.kvHeads() * spec.rows(), spec.headDim()),
                DataType.FLOAT32);
        this.keys = new NDArray[spec.numLayers()];
        this.values = new NDArray[spec.numLayers()];
        this.keysByHead = new NDArray[spec.numLayers()];
        this.valuesByHead = new NDArray[spec.numLayers()];
        Shape byHead = new Shape(spec.kvHeads(), 1, spec.rows(), spec.headDim());
        for (int layer = 0; layer < spec.numLayers(); layer++) {
            keys[layer] = store.get(2L * layer);
            values[layer] = store.get(2L * layer + 1);
            keysByHead[layer] = keys[layer].reshape(byHead);
            valuesByHead[layer] = values[layer].reshape(byHead);
        }
    }

    public KvCacheSpec spec() {
        return spec;
    }

    public BlockPool pool() {
        return pool;
    }

    /**
     * The store rows of {@code slots} for every KV head, head-major: entry {@code h * slots.length + i}
     * is head {@code h} of {@code slots[i]}. One such index per step serves every layer's gathers.
     */
    public long[] headRows(long[] slots) {
        long rows = spec.rows();
        long[] out = new long[spec.kvHeads() * slots.length];
        for (int h = 0, i = 0; h < spec.kvHeads(); h++) {
            long base = h * rows;
            for (long slot : slots) {
                out[i++] = base + slot;
            }
        }
        return out;
    }

    /** Keys of one layer at {@code headRows} (from {@link #headRows}): {@code [headRows.size, headDim]}. */
    public NDArray gatherKeys(int layer, NDArray headRows) {
        requireWritten();
        return gather(keys[layer], headRows);
    }

    /** Values of one layer at {@code headRows} (from {@link #headRows}): {@code [headRows.size, headDim]}. */
    public NDArray gatherValues(int layer, NDArray headRows) {
        requireWritten();
        return gather(values[layer], headRows);
    }

    /**
     * Keys of one layer at the consecutive slots {@code first} to {@code first + length - 1}:
     * {@code [kvHeads, 1, length, headDim]}, a view of the store: context in one run of slots (a lone
     * sequence's, a prompt several share) is read in place, where a gather would copy it first, and on
     * a model whose step streams its weights every byte a step copies is read from memory again.
     */
    public NDArray keysInRun(int layer, long first, int length) {
        requireWritten();
        return run(keysByHead[layer], first, length);
    }

    /** Values of one layer at a run of consecutive slots, as {@link #keysInRun}. */
    public NDArray valuesInRun(int layer, long first, int length) {
        requireWritten();
        return run(valuesByHead[layer], first, length);
    }

    private NDArray run(NDArray byHead, long first, int length) {
        if (first < 0 || first + length > spec.rows()) {
            throw new IllegalArgumentException("slots " + first + " to " + (first + length - 1) + " are outside the cache's "
                    + spec.rows());
        }
        return byHead.get(new NDIndex().addAllDim(2).addSliceDim(first, first + length));
    }

    private static NDArray gather(NDArray store, NDArray headRows) {
        return store.getNDArrayInternal().embedding(headRows, store, SparseFormat.DENSE).singletonOrThrow();
    }

    /** An empty sequence; with prefix caching, prefer {@link #newSequence(int[])}. */
    public BlockTable newSequence() {
        return new BlockTable(spec.blockSize());
    }

    /**
     * A sequence for {@code context} (prompt, or prompt and tokens accepted before a preemption):
     * with prefix caching it starts on the longest cached prefix, so only the rest is computed.
     * At least the last token is left to compute, for its logits.
     */
    public BlockTable newSequence(int[] context) {
        BlockTable table = new BlockTable(spec.blockSize());
        startOnCachedPrefix(table, context);
        return table;
    }

    /**
     * Starts a freed table again, in place, as {@link #newSequence(int[])} would start one for
     * {@code context}: its owner keeps its handle and computes what the cache no longer holds.
     */
    public void restart(BlockTable table, int[] context) {
        if (!table.isFreed()) {
            throw new IllegalStateException("only a freed sequence can be restarted");
        }
        table.reopen();
        startOnCachedPrefix(table, context);
    }

    private void startOnCachedPrefix(BlockTable table, int[] context) {
        if (prefixes != null) {
            PrefixCache.Node[] path = prefixes.longestPrefix(context);
            for (PrefixCache.Node node : path) {
                pool.retain(node.block());
            }
            table.startOn(path, context);
        }
    }

    /**
     * Blocks admitting a sequence for {@code context} takes from the free count, out of
     * {@code blocks} for its whole context: cached blocks other sequences hold cost nothing more.
     */
    public int blocksToAdmit(int[] context, int blocks) {
        if (prefixes == null) {
            return blocks;
        }
        int held = 0;
        for (PrefixCache.Node node : prefixes.peek(context)) {
            if (pool.refCount(node.block()) > 1) {
                held++;
            }
        }
        return blocks - held;
    }

    /** Tokens of {@code context} a new sequence would find cached now; touches and counts nothing. */
    public int cachedPrefixTokens(int[] context) {
        return prefixes == null ? 0 : prefixes.peek(context).length * spec.blockSize();
    }

    /** Drops every cached block no sequence holds: the next requests find only what is in use. */
    public void dropIdlePrefixes() {
        while (pool.idleCachedBlocks() > 0) {
            prefixes.reclaimOne();
        }
    }

    /** Context tokens looked up in the prefix cache, summed (0 without prefix caching). */
    public long prefixQueriedTokens() {
        return prefixes == null ? 0 : prefixes.queriedTokens();
    }

    /** Context tokens found in the prefix cache, summed (0 without prefix caching). */
    public long prefixHitTokens() {
        return prefixes == null ? 0 : prefixes.hitTokens();
    }

    public boolean prefixCaching() {
        return prefixes != null;
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
        child.copyFrom(parent);
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
     * Appends K/V rows for the next {@code ids.length} positions, which hold tokens {@code ids}.
     * Each array is {@code [ids.length, kvHeads, headDim]}, one per layer.
     */
    public void commit(BlockTable table, int[] ids, NDArray[] stepKeys, NDArray[] stepValues) {
        if (ids.length == 0) {
            return;
        }
        write(claim(table, ids), stepKeys, stepValues, null);
    }

    /**
     * Advances {@code table} over its next positions, which hold tokens {@code ids}, and returns
     * their slots; the rows stay unwritten until {@link #write} fills them, and no step may read the
     * cache before. Claiming every plan's rows first lets one step write them all with one scatter
     * per layer. Blocks this fills join the prefix cache.
     */
    public long[] claim(BlockTable table, int[] ids) {
        requireLive(table);
        int tokens = ids.length;
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
        table.advance(ids);
        if (prefixes != null) {
            claimedTables.add(table);
        }
        unwrittenRows += tokens;
        return slots;
    }

    /**
     * Fills claimed slots. Each array is {@code [tokens, kvHeads, headDim]}, one per layer; row
     * {@code rows[i]} (row {@code i} when {@code rows} is null) is written to {@code slots[i]}.
     */
    public void write(long[] slots, NDArray[] stepKeys, NDArray[] stepValues, long[] rows) {
        if (slots.length == 0) {
            return;
        }
        try (NDManager scratch = manager.newSubManager()) {
            NDList parts = new NDList(2 * spec.numLayers());
            for (int layer = 0; layer < spec.numLayers(); layer++) {
                parts.add(stepKeys[layer]);
                parts.add(stepValues[layer]);
            }
            // [2 * layers, tokens, kvHeads, headDim]
            NDArray stacked = NDArrays.stack(parts, 0);
            stacked.attach(scratch);
            if (rows != null) {
                stacked = stacked.get(new NDIndex(":, {}", scratch.create(rows)));
            }
            NDArray headMajor = stacked.transpose(0, 2, 1, 3).reshape(2L * spec.numLayers(), -1, spec.headDim());
            store.set(everyPart(scratch, slots), headMajor);
        }
        unwrittenRows -= slots.length;
        if (unwrittenRows == 0) {
            indexClaimedTables();
        }
    }

    /** Only written rows are indexed, or a failed step would leave blocks of stale K/V to be matched. */
    private void indexClaimedTables() {
        for (BlockTable table : claimedTables) {
            if (!table.isFreed()) {
                table.indexFullBlocks(prefixes);
            }
        }
        claimedTables.clear();
    }

    /**
     * Forgets rows claimed by a step that failed before writing them; their tables belong to tasks
     * that are being failed and freed, and nothing of them is indexed.
     */
    public void abandonUnwritten() {
        unwrittenRows = 0;
        claimedTables.clear();
    }

    /** The store's rows of {@code slots} in every layer's keys and values, an index made in {@code scratch}. */
    private NDIndex everyPart(NDManager scratch, long[] slots) {
        return new NDIndex(":, {}", scratch.create(headRows(slots)));
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
            NDArray rows = store.get(everyPart(scratch, blockSlots(from)));
            rows.attach(scratch);
            store.set(everyPart(scratch, blockSlots(to)), rows);
        }
    }

    private long[] blockSlots(int block) {
        long[] slots = new long[spec.blockSize()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = (long) block * spec.blockSize() + i;
        }
        return slots;
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
        NDArray index = into.create(headRows(table.slots(0, table.length())));
        NDArray rows = gather(store, index).reshape(spec.kvHeads(), table.length(), spec.headDim()).transpose(1, 0, 2);
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
