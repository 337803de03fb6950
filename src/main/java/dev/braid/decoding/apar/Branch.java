package dev.braid.decoding.apar;

import dev.braid.decoding.Sequence;
import java.util.HashMap;
import java.util.Map;

/**
 * One sequence of an APAR tree. A child's sequence is its parent's context up to the {@code [Fork]}
 * that opened it plus a {@code [Child]}; its block table shares the parent's blocks from the fork on.
 */
final class Branch {

    private final int id;
    private final Branch parent;
    private final int forkIndex;
    private final int depth;
    private final Sequence sequence;
    private final int startStep;
    private final Map<Integer, Branch> childByFork = new HashMap<>();
    private int endStep = -1;
    private boolean awaitingFork;

    Branch(int id, Branch parent, int forkIndex, int depth, Sequence sequence, int startStep) {
        this.id = id;
        this.parent = parent;
        this.forkIndex = forkIndex;
        this.depth = depth;
        this.sequence = sequence;
        this.startStep = startStep;
        if (parent != null) {
            parent.childByFork.put(forkIndex, this);
        }
    }

    int id() {
        return id;
    }

    Branch parent() {
        return parent;
    }

    /** Index, among the parent's generated tokens, of the {@code [Fork]} that opened this branch. */
    int forkIndex() {
        return forkIndex;
    }

    int depth() {
        return depth;
    }

    Sequence sequence() {
        return sequence;
    }

    boolean finished() {
        return sequence.finished();
    }

    /** The branch opened by this branch's {@code [Fork]} at generated index {@code index}, or null. */
    Branch childAt(int index) {
        return childByFork.get(index);
    }

    int startStep() {
        return startStep;
    }

    int endStep() {
        return endStep;
    }

    void ended(int step) {
        endStep = step;
        awaitingFork = false; // out of budget before its fork opened: the fork never will
    }

    /**
     * Whether the branch has accepted a {@code [Fork]} that its tree had no room to open yet; it
     * pauses, its context unchanged, until the fork opens.
     */
    boolean awaitingFork() {
        return awaitingFork;
    }

    void awaitFork() {
        awaitingFork = true;
    }

    void forkOpened() {
        awaitingFork = false;
    }
}
