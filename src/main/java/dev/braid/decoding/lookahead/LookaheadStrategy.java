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
 * <p>Extra-token policy under load: from {@value #BUSY_TASKS} running tasks on, a step runs no window
 * and verifies only the most recently used candidate (N−1 extra tokens instead of (W+G)·(N−1)); the
 * pool keeps receiving the text's own n-grams. Measured with {@code bench} on a random 25M Llama on
 * 2 CPU cores (64 tokens per request, concurrency 16 and 32): the full shape ran at 0.6–0.9× AR's
 * tokens/s, a quarter of window and candidates at 0.6–1.5× (noisy), one candidate without window at
 * 1.1–1.45× with compression 2.4. Below 16 tasks the full shape pays. A GPU, idle at low batch, would
 * move the threshold up, not remove it.
 */
public final class LookaheadStrategy implements DecodingStrategy {

    public static final String NAME = "lookahead";

    /** From this many running tasks on, a step runs no window and one candidate. */
    static final int BUSY_TASKS = 16;

    /** What one step spends: window columns run and candidates verified. */
    record Spend(int columns, int candidates) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DecodingTask newTask(GenerationRequest request, TokenDecoder decoder, GenerationListener listener) {
        return new LookaheadTask(request, decoder, listener);
    }

    /** What a step spends when {@code runningTasks} tasks share it. */
    static Spend spendUnderLoad(LookaheadParams params, int runningTasks) {
        if (runningTasks >= BUSY_TASKS) {
            return new Spend(0, 1);
        }
        return new Spend(params.window(), params.candidates());
    }
}
