package dev.braid.decoding.apar;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.model.Tokenizer;

/**
 * How an APAR-tuned model answers when APAR's parallel branches are not what the request runs: the
 * model still writes {@code [Fork]} after an item's title and expects the detail in a branch of its
 * own, so plain decoding would stop each item at its title. This writes the same branch tree with
 * one live branch at a time, each by plain greedy or sampled steps.
 *
 * <p>Not a strategy a request names: the service runs it in place of another strategy on models
 * with the {@code apar} capability, and says so in the response.
 */
public final class SerialAparStrategy implements DecodingStrategy {

    public static final String NAME = "apar-serial";

    private final AparParams params;

    public SerialAparStrategy() {
        this(AparParams.DEFAULT);
    }

    public SerialAparStrategy(AparParams params) {
        this.params = params;
    }

    /** Whether a model with this tokenizer can fork at all: its vocabulary has {@code [Fork]} and {@code [Child]}. */
    public static boolean forks(Tokenizer tokenizer) {
        return ControlTokens.resolve(AparParams.DEFAULT, tokenizer).forking();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String requiredCapability() {
        return AparStrategy.CAPABILITY;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        return new SerialAparTask(request, tokenizer, listener, params, ControlTokens.resolve(params, tokenizer));
    }
}
