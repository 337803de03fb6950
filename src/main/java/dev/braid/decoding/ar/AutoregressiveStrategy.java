package dev.braid.decoding.ar;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.model.Tokenizer;

/** Plain autoregressive decoding: one token per sequence per step. The baseline every strategy beats. */
public final class AutoregressiveStrategy implements DecodingStrategy {

    public static final String NAME = "ar";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean lossless() {
        return true;
    }

    @Override
    public boolean reportsLogprobs() {
        return true;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        return new AutoregressiveTask(request, tokenizer, listener);
    }
}
