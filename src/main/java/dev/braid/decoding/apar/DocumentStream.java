package dev.braid.decoding.apar;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Set;

/**
 * Walks a branch tree in document order (a branch's tokens, and at each of its forks the child's
 * subtree, then the rest of the branch) as far as the tokens decoded so far allow. A later
 * sibling's tokens wait until every branch before it in the document has finished, so what is
 * streamed is exactly a prefix of the final answer.
 */
final class DocumentStream {

    private static final class Frame {
        final Branch branch;
        int next;

        Frame(Branch branch) {
            this.branch = branch;
        }
    }

    private final ControlTokens control;
    private final Set<Integer> stopTokens;
    private final Deque<Frame> path = new ArrayDeque<>();
    private int[] document = new int[32];
    private int length;

    DocumentStream(Branch root, ControlTokens control, Set<Integer> stopTokens) {
        this.control = control;
        this.stopTokens = stopTokens;
        path.push(new Frame(root));
    }

    /** Advances over what is decodable now; returns the tokens that became part of the document. */
    int[] advance() {
        int from = length;
        walk:
        while (!path.isEmpty()) {
            Frame frame = path.peek();
            int[] tokens = frame.branch.sequence().generated();
            while (frame.next < tokens.length) {
                int index = frame.next;
                int token = tokens[index];
                if (token == control.fork() && frame.branch.awaitingFork() && index == tokens.length - 1) {
                    break walk; // its detail opens once the tree has room, and comes first in the document
                }
                frame.next++;
                Branch child = token == control.fork() ? frame.branch.childAt(index) : null;
                if (child != null) {
                    if (control.separator() >= 0) {
                        append(control.separator());
                    }
                    path.push(new Frame(child));
                    continue walk;
                }
                if (keeps(frame.branch, token)) {
                    append(token);
                }
            }
            if (!frame.branch.finished()) {
                break;
            }
            path.pop();
        }
        return Arrays.copyOfRange(document, from, length);
    }

    /** Control tokens never show; a detail's end token would end the answer mid-way, so only the root keeps it. */
    private boolean keeps(Branch branch, int token) {
        return !control.isControl(token) && (branch.depth() == 0 || !stopTokens.contains(token));
    }

    private void append(int token) {
        if (length == document.length) {
            document = Arrays.copyOf(document, length * 2);
        }
        document[length++] = token;
    }

    int[] document() {
        return Arrays.copyOf(document, length);
    }
}
