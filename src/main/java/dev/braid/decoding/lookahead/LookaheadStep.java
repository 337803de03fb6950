package dev.braid.decoding.lookahead;

import dev.braid.kv.BlockTable;
import dev.braid.model.StepMask;
import dev.braid.model.StepPlan;
import java.util.Arrays;
import java.util.List;

/**
 * One lookahead step's input and where each piece sits in it. Both branches ride behind the
 * sequence's pending tokens (the last of which is the current token):
 *
 * <ul>
 *   <li>window tokens: column {@code c}, level {@code l} at position {@code p + c + l}; it sees the
 *       level-0 tokens of columns {@code 1..c} and the lower levels of its own column, which makes
 *       its context a run of consecutive positions;</li>
 *   <li>candidates: each at positions {@code p+1 .. p+len}, causal within itself only.</li>
 * </ul>
 *
 * <p>Only the current token, the window's top levels and the candidates need logits, so everything
 * else is laid out before the current token and the plan asks for logits from there on.
 */
final class LookaheadStep {

    private static final byte PENDING = 0;
    private static final byte WINDOW = 1;
    private static final byte CANDIDATE = 2;

    private final StepPlan plan;
    private final int current;
    private final int[] pendingIndex;
    private final int[] topIndex;
    private final int[][] candidateIndex;

    private LookaheadStep(StepPlan plan, int current, int[] pendingIndex, int[] topIndex, int[][] candidateIndex) {
        this.plan = plan;
        this.current = current;
        this.pendingIndex = pendingIndex;
        this.topIndex = topIndex;
        this.candidateIndex = candidateIndex;
    }

    /** The query tokens {@link #build} lays out for these arguments, without laying them out. */
    static int queryCount(int pending, LookaheadWindow window, int columns, List<int[]> candidates) {
        int windowTokens = 0;
        for (int c = 0; c < columns; c++) {
            windowTokens += window.filled(c) - (c == 0 ? 1 : 0);
        }
        int candidateLength = candidates.isEmpty() ? 0 : candidates.get(0).length;
        return pending + windowTokens + candidates.size() * candidateLength;
    }

    /**
     * @param columns    window columns to run, a prefix of the window; 0 runs no lookahead branch
     * @param candidates n-gram continuations to verify, all of the same length
     */
    static LookaheadStep build(BlockTable table, int[] pending, LookaheadWindow window, int columns,
                               List<int[]> candidates) {
        int k = pending.length;
        int p = table.length() + k - 1;
        int total = queryCount(k, window, columns, candidates);
        int candidateLength = candidates.isEmpty() ? 0 : candidates.get(0).length;
        Builder b = new Builder(total);

        int[] pendingIndex = new int[k];
        for (int i = 0; i < k - 1; i++) {
            pendingIndex[i] = b.put(pending[i], table.length() + i, PENDING, i, 0);
        }
        // levels below the top produce K/V only: before the current token, outside the logits
        for (int c = 0; c < columns; c++) {
            for (int l = c == 0 ? 1 : 0; l < window.filled(c) - 1; l++) {
                b.put(window.token(c, l), p + c + l, WINDOW, l, c);
            }
        }
        int current = b.put(pending[k - 1], p, PENDING, k - 1, 0);
        pendingIndex[k - 1] = current;
        int[] topIndex = new int[columns];
        for (int c = 0; c < columns; c++) {
            int top = window.filled(c) - 1;
            topIndex[c] = c == 0 && top == 0 ? current : b.put(window.token(c, top), p + c + top, WINDOW, top, c);
        }
        int[][] candidateIndex = new int[candidates.size()][candidateLength];
        for (int g = 0; g < candidates.size(); g++) {
            for (int j = 0; j < candidateLength; j++) {
                candidateIndex[g][j] = b.put(candidates.get(g)[j], p + 1 + j, CANDIDATE, g, j);
            }
        }
        StepPlan plan = new StepPlan(table, b.tokens, b.positions, new Mask(b.kind, b.major, b.minor), current);
        return new LookaheadStep(plan, current, pendingIndex, topIndex, candidateIndex);
    }

    StepPlan plan() {
        return plan;
    }

    /** Logits row of the current token: the model's next token after the accepted text. */
    int currentRow() {
        return 0;
    }

    /** Logits row of column {@code c}'s top-level token. */
    int topRow(int column) {
        return topIndex[column] - current;
    }

    /** Logits row of token {@code j} of candidate {@code g}. */
    int candidateRow(int candidate, int token) {
        return candidateIndex[candidate][token] - current;
    }

    /**
     * Query indices to commit when {@code matched} tokens of {@code candidate} were accepted: the
     * pending tokens, then those candidate tokens, which sit at the next positions in that order.
     */
    int[] commitIndices(int candidate, int matched) {
        int[] indices = Arrays.copyOf(pendingIndex, pendingIndex.length + matched);
        for (int j = 0; j < matched; j++) {
            indices[pendingIndex.length + j] = candidateIndex[candidate][j];
        }
        return indices;
    }

    private static final class Builder {
        final int[] tokens;
        final int[] positions;
        final byte[] kind;
        final int[] major;
        final int[] minor;
        int size;

        Builder(int total) {
            tokens = new int[total];
            positions = new int[total];
            kind = new byte[total];
            major = new int[total];
            minor = new int[total];
        }

        int put(int token, int position, byte role, int a, int b) {
            tokens[size] = token;
            positions[size] = position;
            kind[size] = role;
            major[size] = a;
            minor[size] = b;
            return size++;
        }
    }

    /**
     * The combined mask, from each query token's role: pending tokens by order; window tokens by
     * (level, column); candidate tokens by (candidate, index). The branches never see each other.
     */
    private record Mask(byte[] kind, int[] major, int[] minor) implements StepMask {
        @Override
        public boolean sees(int query, int key) {
            return switch (kind[key]) {
                case PENDING -> kind[query] != PENDING || major[key] <= major[query];
                case WINDOW -> kind[query] == WINDOW && (major[key] == 0
                        ? minor[key] <= minor[query]
                        : minor[key] == minor[query] && major[key] <= major[query]);
                default -> kind[query] == CANDIDATE && major[key] == major[query] && minor[key] <= minor[query];
            };
        }
    }
}
