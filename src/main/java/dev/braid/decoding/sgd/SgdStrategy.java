package dev.braid.decoding.sgd;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.StandIn;
import dev.braid.model.Tokenizer;
import java.util.Set;

/**
 * Skeleton Graph Decoding (ALGORITHMS.md §4): the model first writes a skeleton of numbered points
 * with their dependencies and difficulty, then every point whose parents are done is written in
 * the same steps as the others, each seeing the question, the plan and its parents' answers. Easy
 * points go to a draft partner model when a {@link DraftRoute} is given. A skeleton that does not
 * parse falls back to plain AR decoding, with the reason in the trace.
 *
 * <p>The question is read back from the prompt's text (special tokens dropped), and SGD writes
 * its own prompts, so the strategy needs the model's tokenizer; it decodes one answer (n = 1).
 */
public final class SgdStrategy implements DecodingStrategy {

    public static final String NAME = "sgd";

    private final SgdPrompts prompts;
    private final DraftRoute draft;

    public SgdStrategy() {
        this(SgdPrompts.DEFAULT, null);
    }

    /** {@code draft} may be null: every point is then decoded on the target model. */
    public SgdStrategy(SgdPrompts prompts, DraftRoute draft) {
        this.prompts = prompts;
        this.draft = draft;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StandIn standIn(Set<String> capabilities, StandIn.Prompt prompt) {
        return prompt.multiPart()
                ? StandIn.pays("the prompt asks several questions at once: SGD plans them as a graph"
                        + " and decodes independent parts in the same steps")
                : StandIn.notForPrompt("it does not ask several questions at once");
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        if (request.n() != 1) {
            throw new IllegalArgumentException("sgd writes one answer per request; n must be 1, got " + request.n());
        }
        return new SgdTask(request, tokenizer, listener, prompts, draft);
    }
}
