package dev.braid.decoding.lookahead;

import java.util.SplittableRandom;

/**
 * The lookahead branch's 2D window: W columns, each the last N−1 levels of one Jacobi trajectory.
 * Level {@code l} of column {@code c} sits {@code c + l} positions after the current token, so a
 * column read upwards is a run of consecutive tokens and its top level's prediction completes an
 * n-gram. Level 0 of column 0 is the current token itself and is never stored.
 *
 * <p>Columns advance independently: under load only the first few run, the others wait with their
 * levels intact. A column starts with one level and needs N−2 steps to fill the rest (warm-up).
 */
final class LookaheadWindow {

    private final int levels;
    private final int[][] columns;
    private final int[] filled;

    /** Level 0 starts as tokens drawn from {@code text} (the prompt), as the reference does. */
    LookaheadWindow(int width, int ngram, int[] text, SplittableRandom random) {
        this.levels = ngram - 1;
        this.columns = new int[width][levels];
        this.filled = new int[width];
        for (int c = 0; c < width; c++) {
            columns[c][0] = text[random.nextInt(text.length)];
            filled[c] = 1;
        }
    }

    int width() {
        return columns.length;
    }

    /** Levels column {@code c} holds; the top one is {@code filled(c) - 1}. */
    int filled(int column) {
        return filled[column];
    }

    int token(int column, int level) {
        return columns[column][level];
    }

    /**
     * Takes the prediction made from column {@code c}'s top level: a full column yields the n-gram it
     * now completes and drops its oldest level; a warming column just gains a level.
     *
     * @return the completed n-gram, or null while the column warms up
     */
    int[] advance(int column, int current, int prediction) {
        int[] col = columns[column];
        if (filled[column] < levels) {
            col[filled[column]++] = prediction;
            return null;
        }
        int[] ngram = new int[levels + 1];
        ngram[0] = column == 0 ? current : col[0];
        System.arraycopy(col, 1, ngram, 1, levels - 1);
        ngram[levels] = prediction;
        System.arraycopy(col, 1, col, 0, levels - 1);
        col[levels - 1] = prediction;
        return ngram;
    }
}
