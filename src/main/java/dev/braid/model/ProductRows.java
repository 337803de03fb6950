package dev.braid.model;

/**
 * The row counts of a step whose weight products a worker chooses a {@link ProductMethod} for. Past
 * {@link #MANY} a step is a long prompt's prefill, bound by arithmetic whichever way it multiplies.
 */
public enum ProductRows {

    ONE(1, 1),
    FEW(2, 3),
    SEVERAL(4, 8),
    MANY(9, 32);

    private final int from;
    private final int to;

    ProductRows(int from, int to) {
        this.from = from;
        this.to = to;
    }

    public int from() {
        return from;
    }

    public int to() {
        return to;
    }

    /** The range {@code rows} falls in, or null for more than {@link #MANY}'s. */
    static ProductRows of(long rows) {
        for (ProductRows range : values()) {
            if (rows >= range.from && rows <= range.to) {
                return range;
            }
        }
        return null;
    }
}
