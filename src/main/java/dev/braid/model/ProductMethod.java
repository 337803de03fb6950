package dev.braid.model;

/**
 * How a step's rows multiply a weight matrix on a CPU. Which is faster depends on the host's
 * BLAS, the matrix, its precision, the rows and the threads, so a worker times both for each {@link
 * ProductRows} range and thread count when it starts and keeps the faster.
 */
public enum ProductMethod {

    /**
     * {@code x W^T}, PyTorch's own linear: for float32 MKL's matrix-vector product for one row, and
     * for more a general product that on some hosts costs about one matrix-vector product per row.
     */
    ROWS_FIRST,

    /**
     * oneDNN's inner product on a copy of the weights reordered once, at load, into its blocked
     * layout: the weights are read once per product whatever its rows, and even one row is spread
     * across threads. Each call pays a fixed cost that small matrices do not earn back.
     */
    PACKED
}
