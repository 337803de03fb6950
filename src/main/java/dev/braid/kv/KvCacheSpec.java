package dev.braid.kv;

/** Shape of one worker's paged KV cache: how many blocks, how many positions each, per layer. */
public record KvCacheSpec(int blockSize, int numBlocks, int numLayers, int kvHeads, int headDim) {

    public KvCacheSpec {
        requirePositive("blockSize", blockSize);
        requirePositive("numBlocks", numBlocks);
        requirePositive("numLayers", numLayers);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
    }

    public long rows() {
        return (long) numBlocks * blockSize;
    }

    /** Bytes of float32 K and V storage over all layers. */
    public long bytes() {
        return 2L * numLayers * rows() * kvHeads * headDim * Float.BYTES;
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("KV cache " + name + " must be positive, got " + value);
        }
    }
}
