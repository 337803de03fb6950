package dev.braid.decoding.lookahead;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.LoadTiers;
import dev.braid.decoding.TokenDecoder;

/**
 * Lookahead decoding (ALGORITHMS.md §2): exact, no draft model. Each step one forward pass carries
 * the pending tokens, a lookahead branch that runs Jacobi iteration on a W × (N−1) window and
 * harvests its n-grams into a pool, and a verification branch that checks up to G pooled n-grams
 * starting with the current token. Greedy verification accepts the longest matching prefix plus the
 * model's own next token; sampled verification keeps the sampling distribution exact (see
 * {@link Verification#sampled}). Only the accepted tokens' K/V is committed.
 *
 * <p>Extra-token policy under load, in three tiers of running tasks: below {@value #SHARED_TASKS} the
 * full shape; from {@value #SHARED_TASKS} a quarter of the window and of the candidates (at least one
 * each); from {@value #BUSY_TASKS} no window and only the most recently used candidate (N−1 extra
 * tokens); the pool keeps receiving the text's own n-grams. Measured with {@code bench} on a random 25M
 * Llama on 2 CPU cores, 64 tokens per request, against AR's tokens/s: W = G = 4 ran at 1.35× alone but
 * 0.8× at 4 and 8 tasks, where W = G = 1 ran at 1.2× and 1.35× (compression 2.4–2.7 either way, since
 * most hits come from repeated text); at 16 and 32 tasks a quarter shape ranged 0.6–1.5× (noisy) while
 * one candidate without window held 1.1–1.45×; with these tiers a full bench gave 1.69×, 1.3× and
 * 1.19× at concurrency 1, 8 and 32. On llama-tiny, whose 2–8 ms steps are dominated by per-step
 * overhead and by whatever else runs on the machine, runs scattered between 0.66× and 1.7×. A GPU,
 * idle at low batch, would move the tiers up, not remove them.
 */
public final class LookaheadStrategy implements DecodingStrategy {

    public static final String NAME = "lookahead";

    /** From this many running tasks on, a step runs a quarter of the window and of the candidates. */
    static final int SHARED_TASKS = LoadTiers.SHARED_TASKS;

    /** From this many running tasks on, a step runs no window and one candidate. */
    static final int BUSY_TASKS = LoadTiers.BUSY_TASKS;

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
        if (runningTasks >= SHARED_TASKS) {
            return new Spend(Math.max(1, params.window() / 4), Math.max(1, params.candidates() / 4));
        }
        return new Spend(params.window(), params.candidates());
    }
}
