package dev.braid.worker;

import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.model.Tokenizer;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.decoding.sgd.DraftRoute;
import java.util.Objects;

/**
 * SGD's draft route to a loaded partner model: each easy point becomes an AR task on the partner's
 * worker pool. A refusal (queue full, worker stopping, prompt too long for the partner) is thrown
 * from {@link #decode} and the SGD task then writes the point on the target itself; a failure after
 * the task was queued reaches the listener's {@code onError}, with the same effect.
 *
 * @param model   the partner's name, as traces show it
 * @param pool    the partner's workers
 * @param tokenizer the partner's tokenizer (the same vocabulary as the target's), for stop strings
 */
public record PoolDraftRoute(String model, WorkerPool pool, Tokenizer tokenizer) implements DraftRoute {

    private static final AutoregressiveStrategy AR = new AutoregressiveStrategy();

    public PoolDraftRoute {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(tokenizer, "tokenizer");
    }

    @Override
    public Handle decode(GenerationRequest request, GenerationListener listener) {
        DecodingTask task = AR.newTask(request, tokenizer, listener);
        pool.submit(task);
        return task::cancel;
    }
}
