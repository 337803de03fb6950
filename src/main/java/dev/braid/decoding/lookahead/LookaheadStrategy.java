package dev.braid.decoding.lookahead;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.TokenDecoder;

/**
 * Lookahead decoding (ALGORITHMS.md §2): exact, no draft model. Each step one forward pass carries
 * the pending tokens, a lookahead branch that runs Jacobi iteration on a W × (N−1) window and
 * harvests its n-grams into a pool, and a verification branch that checks up to G pooled n-grams
 * starting with the current token. Greedy verification accepts the longest matching prefix plus the
 * model's own next token; sampled verification keeps the sampling distribution exact (see
 * {@link Verification#sampled}). Only the accepted tokens' K/V is committed.
 *
 * <p>Under load a step drops the window and the candidates for a plain step (the worker's guessing
 * limit, {@link dev.braid.worker.WorkerSettings#CPU_GUESSING_TASKS}); the pool keeps receiving the
 * text's own n-grams, so a lane that gets spare compute again starts with them.
 */
public final class LookaheadStrategy implements DecodingStrategy {

    public static final String NAME = "lookahead";


    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener) {
        return new LookaheadTask(request, decoder, listener);
    }
}
