package dev.braid.decoding;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.braid.decoding.apar.AparTrace;
import dev.braid.decoding.lookahead.LookaheadTrace;
import dev.braid.decoding.sgd.SgdTrace;
import dev.braid.model.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A structural strategy's trace as responses carry it: token ids decoded to text so a client (the
 * console) can show the pieces without the tokenizer. {@code type} is {@code apar} (a branch tree
 * per sequence), {@code sgd} (a skeleton's points and their dependencies) or {@code lookahead} (the
 * tokens accepted per step and how many came from a verified n-gram).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DecodingTrace(String type, List<Branch> branches, String skeleton, Integer skeletonSteps,
                            List<Node> nodes, String fallbackReason, List<Accepted> accepted, int generatedTokens) {

    /** What one lookahead step accepted for one sequence; {@code fromNgram} of its tokens were guessed right. */
    public record Accepted(int sequence, int step, int tokens, int fromNgram, String text) {
    }

    /** An APAR branch; {@code parent} is -1 for a tree's root. */
    public record Branch(int sequence, int id, int parent, int depth, int tokens, String text, int startStep,
                         int endStep, String finishReason) {
    }

    /** An SGD point; {@code model} is {@code target} or the draft partner's name. */
    public record Node(int index, String title, List<Integer> dependsOn, String difficulty, String model,
                       int startStep, int endStep, int tokens, String text, String finishReason) {
    }

    /** The trace of {@code trace}, or null for strategies that keep none. */
    public static DecodingTrace of(GenerationResult.Trace trace, Tokenizer tokenizer) {
        if (trace instanceof AparTrace apar) {
            List<Branch> branches = apar.branches().stream()
                    .map(b -> new Branch(b.sequence(), b.id(), b.parent(), b.depth(), b.tokens().length,
                            tokenizer.decode(b.tokens()), b.startStep(), b.endStep(), reason(b.finishReason())))
                    .toList();
            return new DecodingTrace("apar", branches, null, null, null, null, null, apar.generatedTokens());
        }
        if (trace instanceof SgdTrace sgd) {
            List<Node> nodes = sgd.nodes().stream()
                    .map(n -> new Node(n.index(), n.title(), n.dependsOn(),
                            n.difficulty() == null ? null : n.difficulty().name().toLowerCase(Locale.ROOT), n.model(),
                            n.startStep(), n.endStep(), n.tokens().length, tokenizer.decode(n.tokens()),
                            reason(n.finishReason())))
                    .toList();
            return new DecodingTrace("sgd", null, sgd.skeleton(), sgd.skeletonSteps(), nodes, sgd.fallbackReason(),
                    null, sgd.generatedTokens());
        }
        if (trace instanceof LookaheadTrace lookahead) {
            List<Accepted> accepted = new ArrayList<>();
            for (int s = 0; s < lookahead.sequences().size(); s++) {
                for (LookaheadTrace.Step step : lookahead.sequences().get(s)) {
                    accepted.add(new Accepted(s, step.step(), step.tokens().length, step.fromNgram(),
                            tokenizer.decode(step.tokens())));
                }
            }
            return new DecodingTrace("lookahead", null, null, null, null, null, accepted, lookahead.generatedTokens());
        }
        return null;
    }

    private static String reason(FinishReason reason) {
        return reason == null ? null : reason.openAiName();
    }
}
