package dev.braid.decoding.apar;

import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The branches answering one of the request's sequences. The request's max new tokens bounds the
 * tokens of all branches together, so a forking answer is no longer than an AR one could be.
 */
final class BranchTree {

    private final int index;
    private final ControlTokens control;
    private final AparParams params;
    private final int maxLiveBranches;
    private final int budget;
    private final List<Branch> branches = new ArrayList<>();
    private final DocumentStream stream;
    private int generated;
    private boolean outOfBudget;

    BranchTree(int index, Branch root, ControlTokens control, AparParams params, int maxLiveBranches, int budget,
               Set<Integer> stopTokens) {
        this.index = index;
        this.control = control;
        this.params = params;
        this.maxLiveBranches = maxLiveBranches;
        this.budget = budget;
        this.branches.add(root);
        this.stream = new DocumentStream(root, control, stopTokens);
    }

    int index() {
        return index;
    }

    Branch root() {
        return branches.get(0);
    }

    List<Branch> branches() {
        return branches;
    }

    List<Branch> live() {
        return branches.stream().filter(b -> !b.finished()).toList();
    }

    /**
     * The live branch opened last, or null when none is live. In a tree grown one branch at a time
     * it is the branch whose text comes next in the document: a detail opened at a fork runs before
     * the branch that forked it goes on.
     */
    Branch newestLive() {
        for (int i = branches.size() - 1; i >= 0; i--) {
            if (!branches.get(i).finished()) {
                return branches.get(i);
            }
        }
        return null;
    }

    boolean finished() {
        return branches.stream().allMatch(Branch::finished);
    }

    int nextId() {
        return branches.size();
    }

    void add(Branch child) {
        branches.add(child);
    }

    /** Whether one more branch fits under the live-branch limit. */
    boolean hasRoomForBranch() {
        return branches.stream().filter(b -> !b.finished()).count() < maxLiveBranches;
    }

    /**
     * Whether {@code branch} may emit {@code [Fork]} now: not at the deepest level, and not right
     * after a control token (an empty item would fork an empty detail). The live-branch limit never
     * bans a fork, so it cannot change the answer: at the limit the fork waits.
     */
    boolean mayFork(Branch branch) {
        return control.forking() && !outOfBudget
                && branch.depth() < params.maxDepth()
                && !control.isControl(branch.sequence().lastToken());
    }

    /** Whether some live branch is not waiting to fork, so a step of this tree makes progress. */
    boolean anyDecoding() {
        return branches.stream().anyMatch(b -> !b.finished() && !b.awaitingFork());
    }

    /** Counts an accepted token; returns false once the tree's budget is spent. */
    boolean count(int token) {
        if (!control.isControl(token)) {
            generated++;
        }
        outOfBudget = generated >= budget;
        return !outOfBudget;
    }

    boolean outOfBudget() {
        return outOfBudget;
    }

    int generated() {
        return generated;
    }

    int[] advance() {
        return stream.advance();
    }

    GenerationResult.Completion completion() {
        Branch root = root();
        FinishReason reason;
        if (!finished()) {
            reason = FinishReason.CANCELLED;
        } else if (branches.stream().anyMatch(b -> b.sequence().finishReason() == FinishReason.LENGTH)) {
            reason = FinishReason.LENGTH;
        } else {
            reason = root.sequence().finishReason();
        }
        return new GenerationResult.Completion(stream.document(), reason, root.sequence().stopString());
    }

    List<AparTrace.BranchRecord> records() {
        List<AparTrace.BranchRecord> records = new ArrayList<>();
        for (Branch b : branches) {
            records.add(new AparTrace.BranchRecord(index, b.id(), b.parent() == null ? -1 : b.parent().id(),
                    b.forkIndex(), b.depth(), b.sequence().generated(), b.startStep(), b.endStep(),
                    b.sequence().finishReason()));
        }
        return records;
    }
}
