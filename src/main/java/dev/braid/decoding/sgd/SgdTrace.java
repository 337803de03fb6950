package dev.braid.decoding.sgd;

import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationResult;
import java.util.List;

/**
 * How an SGD task decoded, for traces and the console.
 *
 * @param skeleton        the skeleton text (the model's, or the fixed one), null if none was written
 * @param skeletonSteps   steps phase one took
 * @param nodes           one record per point, in skeleton order; empty after a fallback
 * @param fallbackReason  why the task fell back to AR decoding of the prompt, or null
 * @param generatedTokens tokens of the answer the models generated (headings and separators left out)
 */
public record SgdTrace(String skeleton, int skeletonSteps, List<NodeRecord> nodes, String fallbackReason,
                       int generatedTokens) implements GenerationResult.Trace {

    public SgdTrace {
        nodes = List.copyOf(nodes);
    }

    public boolean fellBack() {
        return fallbackReason != null;
    }

    /**
     * One point.
     *
     * @param model      {@code target}, or the draft model's name
     * @param startStep  the target step (1-based, of this task) the point started in; a draft point
     *                   runs beside the target's steps from this one on
     * @param endStep    the target step that completed its answer (for a draft point, the first step
     *                   planned after its answer came back), -1 if never
     * @param tokens     the point's answer, without the token that ended it
     */
    public record NodeRecord(int index, String title, List<Integer> dependsOn, Skeleton.Difficulty difficulty,
                             String model, int startStep, int endStep, int[] tokens, FinishReason finishReason) {
    }
}
