package dev.braid.decoding.jacobi;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.StandIn;
import dev.braid.model.Tokenizer;
import java.util.Set;

/**
 * Jacobi decoding (ALGORITHMS.md §1): each step refines a block of {@link JacobiParams#blockSize()}
 * guessed tokens in parallel and accepts the longest prefix on which guess and prediction agree plus
 * the next prediction, so every step yields at least one token and exactly greedy decoding's tokens.
 * Only the accepted tokens' K/V is committed; the rest of the refined block is the next guess, topped
 * up with tokens drawn (seeded) from the prompt and output so far.
 *
 * <p>Greedy only: with temperature &gt; 0 the task decodes autoregressively, one sampled token per
 * step, rather than failing a request a strategy selector may have routed here.
 *
 * <p>The request's block size is a cap: each step feeds the block that the worker's step price and
 * the lane's own acceptance say pays best for the whole batch, down to none (see {@link
 * dev.braid.decoding.StepPrice}).
 *
 * <p>Plain models rarely fix a token while an earlier one is wrong, so expect little here beyond
 * repetitive text; CLLM-trained models are where this strategy pays.
 */
public final class JacobiStrategy implements DecodingStrategy {

    public static final String NAME = "jacobi";
    /** The model capability (the registry's id) under which Jacobi converges in few steps. */
    public static final String TUNED_FOR = "cllm";


    @Override
    public String name() {
        return NAME;
    }

    /** Plain models rarely converge early, so only a consistency-trained one is expected to pay. */
    @Override
    public StandIn standIn(Set<String> capabilities, StandIn.Prompt prompt) {
        return capabilities.contains(TUNED_FOR) ? StandIn.pays("model is CLLM-tuned and decoding is greedy")
                : StandIn.untuned(TUNED_FOR);
    }

    /** Its fixed point is the greedy output: sampled, it would refine guesses for nothing. */
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
        return new JacobiTask(request, tokenizer, listener);
    }
}
