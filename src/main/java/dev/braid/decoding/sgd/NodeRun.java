package dev.braid.decoding.sgd;

import dev.braid.decoding.FinishReason;
import dev.braid.decoding.Sequence;
import java.util.Arrays;

/** One skeleton point being answered, on the target model (a sequence) or on the draft model. */
final class NodeRun {

    static final String TARGET = "target";

    private final Skeleton.Point point;
    private String model = TARGET;
    private int[] prompt;
    private Sequence sequence;
    private boolean drafting;
    private int startStep = -1;
    private int endStep = -1;
    private int[] answer;
    private FinishReason finishReason;

    NodeRun(Skeleton.Point point) {
        this.point = point;
    }

    Skeleton.Point point() {
        return point;
    }

    String model() {
        return model;
    }

    int[] prompt() {
        return prompt;
    }

    Sequence sequence() {
        return sequence;
    }

    boolean started() {
        return sequence != null || drafting || answer != null;
    }

    boolean decodingOnTarget() {
        return sequence != null && answer == null;
    }

    boolean drafting() {
        return drafting;
    }

    boolean done() {
        return answer != null;
    }

    void startOnTarget(int[] prompt, Sequence sequence, int step) {
        this.model = TARGET;
        this.prompt = prompt;
        this.sequence = sequence;
        this.startStep = step;
    }

    void startOnDraft(String draftModel, int[] prompt, int step) {
        this.model = draftModel;
        this.prompt = prompt;
        this.drafting = true;
        this.startStep = step;
    }

    /** The draft model failed: the point goes back to the target, from scratch. */
    void abandonDraft() {
        drafting = false;
        model = TARGET;
        startStep = -1;
    }

    void finish(int[] answer, FinishReason reason, int step) {
        this.answer = answer;
        this.finishReason = reason;
        this.drafting = false;
        this.endStep = step;
    }

    /** The answer's tokens known so far: all of them once done, the target's accepted ones before. */
    int[] visibleTokens() {
        if (answer != null) {
            return answer;
        }
        return sequence != null ? sequence.generated() : new int[0];
    }

    int[] answer() {
        return answer == null ? null : Arrays.copyOf(answer, answer.length);
    }

    FinishReason finishReason() {
        return finishReason;
    }

    int startStep() {
        return startStep;
    }

    int endStep() {
        return endStep;
    }
}
