package dev.braid.decoding.sgd;

import java.util.Arrays;
import java.util.List;

/**
 * The assembled answer, streamed in skeleton order: a point's heading and tokens go out while it
 * is the first unfinished point, and a later point's tokens wait until every point before it is done.
 */
final class AnswerStream {

    private final List<NodeRun> nodes;
    private final List<int[]> headings;
    private final int[] separator;
    private int head;
    private int shownOfHead = -1;
    private int[] document = new int[64];
    private int length;

    AnswerStream(List<NodeRun> nodes, List<int[]> headings, int[] separator) {
        this.nodes = nodes;
        this.headings = headings;
        this.separator = separator;
    }

    /** Returns the tokens that became part of the answer since the last call. */
    int[] advance() {
        int from = length;
        while (head < nodes.size()) {
            NodeRun node = nodes.get(head);
            if (shownOfHead < 0) {
                append(headings.get(head));
                shownOfHead = 0;
            }
            int[] tokens = node.visibleTokens();
            append(Arrays.copyOfRange(tokens, shownOfHead, tokens.length));
            shownOfHead = tokens.length;
            if (!node.done()) {
                break;
            }
            if (head < nodes.size() - 1) {
                append(separator);
            }
            head++;
            shownOfHead = -1;
        }
        return Arrays.copyOfRange(document, from, length);
    }

    int[] document() {
        return Arrays.copyOf(document, length);
    }

    private void append(int[] tokens) {
        if (length + tokens.length > document.length) {
            document = Arrays.copyOf(document, Math.max(document.length * 2, length + tokens.length));
        }
        System.arraycopy(tokens, 0, document, length, tokens.length);
        length += tokens.length;
    }
}
