package dev.braid.decoding.lookahead;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.StandIn;
import dev.braid.model.Tokenizer;
import java.util.Set;

/**
 * Lookahead decoding (ALGORITHMS.md §2): exact, no draft model. Each step one forward pass carries
 * the pending tokens, a lookahead branch that runs Jacobi iteration on a W × (N−1) window and
 * harvests its n-grams into a pool, and a verification branch that checks up to G pooled n-grams
 * starting with the current token. Greedy verification accepts the longest matching prefix plus the
 * model's own next token; sampled verification keeps the sampling distribution exact (see
 * {@link Verification#sampled}). Only the accepted tokens' K/V is committed.
 *
 * <p>The request's shape is a cap: each step runs plain, verifies the pool's best one, two or all
 * candidates, or adds the window too, whichever the worker's step price and what each shape has
 * been accepting say pays best for the whole batch (see {@link dev.braid.decoding.StepPrice}); the
 * pool keeps receiving the text's own n-grams (prompt lookup) whatever the shape.
 */
public final class LookaheadStrategy implements DecodingStrategy {

    public static final String NAME = "lookahead";


    @Override
    public String name() {
        return NAME;
    }

    @Override
    public StandIn standIn(Set<String> capabilities, StandIn.Prompt prompt) {
        return StandIn.pays("greedy decoding: lookahead needs no training and verifies its guesses exactly");
    }

    @Override
    public boolean greedyOnly() {
        return true;
    }

    @Override
    public boolean lossless() {
        return true;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
        return new LookaheadTask(request, tokenizer, listener);
    }
}
