package dev.braid.model;

/**
 * The row counts of a step whose weight products a worker chooses a {@link ProductMethod} for, each
 * timed at its least and its {@link #largestTimed} rows. {@link #MANY} has no upper end: past 32 rows
 * a step (a prefill chunk, a large batch) is bound by arithmetic, and packed products were no slower
 * there than PyTorch's own on the shapes measured (README, Performance).
 */
public enum ProductRows {

    ONE(1, 1),
    FEW(2, 3),
    SEVERAL(4, 8),
    MANY(9, Integer.MAX_VALUE);

    /** The most rows a range is timed at. */
    private static final int TIMED_UP_TO = 32;

    private final int from;
    private final int to;

    ProductRows(int from, int to) {
        this.from = from;
        this.to = to;
    }

    public int from() {
        return from;
    }

    /** The range's most rows; {@link Integer#MAX_VALUE} for {@link #MANY}. */
    public int to() {
        return to;
    }

    /** Whether the range has no upper end. */
    public boolean openEnded() {
        return to == Integer.MAX_VALUE;
    }

    /** The most rows the worker times the range at. */
    public int largestTimed() {
        return Math.min(to, TIMED_UP_TO);
    }

    /** The row counts the worker times the range at: its least and, where they differ, its largest timed. */
    public int[] timedRows() {
        return largestTimed() == from ? new int[] {from} : new int[] {from, largestTimed()};
    }

    /** The range in words, as the worker logs it: "1", "2 to 3", "9+". */
    public String describe() {
        return openEnded() ? from + "+" : to == from ? Integer.toString(from) : from + " to " + to;
    }

    /** The range {@code rows} falls in; null for no rows. */
    static ProductRows of(long rows) {
        for (ProductRows range : values()) {
            if (rows >= range.from && rows <= range.to) {
                return range;
            }
        }
        return null;
    }
}
