package dev.braid.model;

/**
 * The row counts of a step whose weight products a worker chooses a {@link ProductMethod} for, each
 * between PyTorch's own order and one alternative. One row is a matrix-vector product, which needs
 * no choice, and past {@link #SEVERAL} the products are large enough to be bound by arithmetic.
 */
public enum ProductRows {

    FEW(2, 3, ProductMethod.WEIGHTS_FIRST),
    SEVERAL(4, 8, ProductMethod.WEIGHT_SLABS);

    private final int from;
    private final int to;
    private final ProductMethod alternative;

    ProductRows(int from, int to, ProductMethod alternative) {
        this.from = from;
        this.to = to;
        this.alternative = alternative;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** What the range may use instead of {@link ProductMethod#ROWS_FIRST}. */
    public ProductMethod alternative() {
        return alternative;
    }

    /** The range {@code rows} falls in, or null for one row or more than {@link #SEVERAL}'s. */
    static ProductRows of(long rows) {
        for (ProductRows range : values()) {
            if (rows >= range.from && rows <= range.to) {
                return range;
            }
        }
        return null;
    }
}
