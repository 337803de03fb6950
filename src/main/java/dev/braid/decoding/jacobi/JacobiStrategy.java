package dev.braid.decoding.jacobi;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.LoadTiers;
import dev.braid.decoding.TokenDecoder;

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
 * <p>Extra-token policy under load, in three tiers of running tasks: below {@value #SHARED_TASKS} the
 * whole block; from {@value #SHARED_TASKS} a quarter of it (at least one guess); from
 * {@value #BUSY_TASKS} no guesses, i.e. plain autoregressive steps. Measured with {@code bench} on a
 * random 25M Llama on 2 CPU cores, 64 tokens per request, against AR's tokens/s: a block of 8 ran at
 * 0.7–1.3× alone (compression 1.7–2.0 on the model's loops) but 0.64–0.9× at 4 and 8 tasks, where a
 * block of 2 held 1.0–1.06× (compression 1.35); at 16 and 32 tasks even a quarter block ran at
 * 0.5–1.0× while plain steps match AR.
 *
 * <p>Plain models rarely fix a token while an earlier one is wrong, so expect little here beyond
 * repetitive text; CLLM-trained models are where this strategy pays.
 */
public final class JacobiStrategy implements DecodingStrategy {

    public static final String NAME = "jacobi";

    /** From this many running tasks on, a step carries a quarter of the block. */
    static final int SHARED_TASKS = LoadTiers.SHARED_TASKS;

    /** From this many running tasks on, a step carries no guesses. */
    static final int BUSY_TASKS = LoadTiers.BUSY_TASKS;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener) {
        return new JacobiTask(request, decoder, listener);
    }

    /** The guesses one step carries when {@code runningTasks} tasks share it; 0 means a plain AR step. */
    static int blockSizeUnderLoad(int blockSize, int runningTasks) {
        if (runningTasks >= BUSY_TASKS) {
            return 0;
        }
        return runningTasks >= SHARED_TASKS ? Math.max(1, blockSize / 4) : blockSize;
    }
}
