package dev.braid.decoding.apar;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.model.Tokenizer;
import java.util.List;

/**
 * APAR's branch tree written one branch at a time: at a {@code [Fork]} the detail branch opens and
 * runs to its end before the branch that forked it goes on, so each step decodes one token per
 * tree, as AR would. Every branch still sees only its ancestors, so the tree, and the answer read
 * from it in document order, are the ones parallel APAR writes; only the steps differ.
 */
final class SerialAparTask extends AparTask {

    SerialAparTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener, AparParams params,
                   ControlTokens control) {
        super(request, tokenizer, listener, params, control);
    }

    @Override
    public String strategy() {
        return SerialAparStrategy.NAME;
    }

    /** Only one branch decodes at a time, so no fork ever has to wait for room. */
    @Override
    protected int maxLiveBranches() {
        return Integer.MAX_VALUE;
    }

    @Override
    protected List<Branch> stepping(BranchTree tree) {
        Branch next = tree.newestLive();
        return next == null ? List.of() : List.of(next);
    }
}
