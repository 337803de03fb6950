package dev.braid.model;

/**
 * How a step's rows multiply a float32 weight matrix on a CPU. Which is fastest for a few rows
 * depends on the host's BLAS, its caches and the model's size, and hosts of one class disagreed
 * (README, performance), so a worker times the choices of each {@link ProductRows} range when it
 * starts and keeps the fastest.
 */
public enum ProductMethod {

    /** {@code x W^T}, PyTorch's own linear: for more than one row MKL packs the weights before it multiplies. */
    ROWS_FIRST,

    /** {@code (W x^T)^T}: a matrix times a few columns, which streams the weights once without packing them. */
    WEIGHTS_FIRST,

    /**
     * The weight matrix cut along its outputs into slabs of about {@link #SLAB_BYTES}, multiplied as one
     * batched product: each slab is packed while it is still in the core's cache, so a weight matrix
     * too large for the cache is read from memory once instead of being packed from it.
     */
    WEIGHT_SLABS;

    /** About a core's level-2 cache on the hosts measured; a slab is the largest power-of-two cut at most this size. */
    static final long SLAB_BYTES = 256 * 1024;
}
