package dev.braid.model;

/**
 * The order in which a step of a few query rows multiplies a weight matrix. Which is faster depends
 * on the host's BLAS, its caches and the model's size, and measured both ways on different hosts of
 * the same class (README, performance), so a worker times both when it starts and keeps the faster.
 */
public enum ProductOrder {

    /** {@code x W^T}, PyTorch's own linear: for more than one row MKL packs the weights before it multiplies. */
    ROWS_FIRST,

    /** {@code (W x^T)^T}: a matrix times a few columns, which streams the weights once without packing them. */
    WEIGHTS_FIRST
}
