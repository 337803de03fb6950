package dev.braid.model;

import java.util.ArrayList;
import java.util.List;

/**
 * How a step's rows multiply a weight matrix on a CPU. Which is faster depends on the host's
 * BLAS, the matrix, its precision, the rows and the threads, so a worker times the {@link
 * #candidates} for each {@link ProductRows} range and thread count when it starts and keeps the
 * fastest.
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
    PACKED,

    /**
     * The weight's output rows cut into one block per thread (a view, no copy) and multiplied as one
     * batched product, whose blocks run on the threads side by side: a single row's matrix-vector
     * product, which MKL runs on one thread, then streams the weight on all of them. Only for one row
     * on several threads; a matrix whose outputs the threads do not divide is multiplied rows first.
     */
    OUTPUT_BLOCKS;

    /** The methods a worker times for {@code range} on {@code threads} threads; {@link #ROWS_FIRST} first. */
    public static List<ProductMethod> candidates(ProductRows range, int threads) {
        List<ProductMethod> methods = new ArrayList<>(List.of(ROWS_FIRST, PACKED));
        if (range == ProductRows.ONE && threads > 1) {
            methods.add(OUTPUT_BLOCKS);
        }
        return methods;
    }
}
