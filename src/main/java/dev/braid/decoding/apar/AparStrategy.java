package dev.braid.decoding.apar;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.StandIn;
import dev.braid.model.Tokenizer;
import java.util.Set;

/**
 * APAR (ALGORITHMS.md §3): a model fine-tuned to emit {@code [Fork]} where the detail of an item and
 * the next item can be written at the same time. Each fork opens a branch that shares the prefix's
 * KV blocks, and every live branch decodes one token per step, so a list of k items takes about as
 * many steps as its longest item rather than all of them. The answer is the branch tree read in
 * document order, streamed in that order.
 *
 * <p>A model whose tokenizer has no {@code [Fork]} decodes as plain AR; with other models the
 * control token ids come from {@link AparParams}.
 */
public final class AparStrategy implements DecodingStrategy {

    public static final String NAME = "apar";
    /** The model capability both APAR strategies need, as the registry names it. */
    public static final String CAPABILITY = "apar";

    private final AparParams params;

    public AparStrategy() {
        this(AparParams.DEFAULT);
    }

    public AparStrategy(AparParams params) {
        this.params = params;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** Only a model fine-tuned with {@code [Fork]} and {@code [Child]} writes branches to decode in parallel. */
    @Override
    public String requiredCapability() {
        return CAPABILITY;
    }

    /** Branches pay where the answer is a list the model can fork into items. */
    @Override
    public StandIn standIn(Set<String> capabilities, StandIn.Prompt prompt) {
        if (!capabilities.contains(CAPABILITY)) {
            return StandIn.untuned(CAPABILITY);
        }
        return prompt.list() ? StandIn.pays("model is APAR-tuned and the prompt asks for a list")
                : StandIn.notForPrompt("it asks for no list");
    }

    public AparParams params() {
        return params;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        return new AparTask(request, tokenizer, listener, params, ControlTokens.resolve(params, tokenizer));
    }
}
