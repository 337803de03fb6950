package dev.braid.decoding.apar;

import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationResult;
import java.util.List;

/**
 * The branch trees an APAR task decoded, for traces and the console.
 *
 * @param branches        every branch of every tree, in the order they were opened
 * @param generatedTokens tokens the model generated in all branches, control tokens left out
 */
public record AparTrace(List<BranchRecord> branches, int generatedTokens) implements GenerationResult.Trace {

    public AparTrace {
        branches = List.copyOf(branches);
    }

    /**
     * One branch.
     *
     * @param sequence   which of the request's sequences the tree answers
     * @param id         the branch's number within its tree, the root being 0
     * @param parent     the parent's id, -1 for the root
     * @param forkIndex  index among the parent's tokens of the {@code [Fork]} that opened it, -1 for the root
     * @param tokens     the branch's generated tokens, control tokens included
     * @param startStep  the first step (1-based, of this task) the branch took part in
     * @param endStep    the step that finished it, -1 if it never finished
     */
    public record BranchRecord(int sequence, int id, int parent, int forkIndex, int depth, int[] tokens,
                               int startStep, int endStep, FinishReason finishReason) {
    }
}
