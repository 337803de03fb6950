package dev.braid.cli;

import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.sgd.DraftRoute;
import dev.braid.model.LoadedModel;
import dev.braid.worker.PoolDraftRoute;
import dev.braid.worker.WorkerPool;
import dev.braid.worker.WorkerSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** One model a bench run decodes with: loaded once, with its own worker pool. */
final class BenchEngine implements AutoCloseable {

    private final LoadedModel model;
    private final WorkerPool pool;

    BenchEngine(LoadedModel model, WorkerSettings settings) {
        this.model = model;
        this.pool = WorkerPool.of(List.of(model.transformer()), settings);
    }

    LoadedModel model() {
        return model;
    }

    WorkerPool pool() {
        return pool;
    }

    /** A question as this model is served it: in its own chat format when it has one. */
    int[] encodeQuestion(String question) {
        return model.tokenizer().encode(GenerateCommand.asUserTurn(model, question, false));
    }

    /**
     * When requests stop: after {@code maxNewTokens}, and at the model's end tokens only if
     * {@code untilEnd}; otherwise every request does the same work.
     */
    StopCriteria stop(int maxNewTokens, boolean untilEnd) {
        Set<Integer> ends = untilEnd ? new HashSet<>(model.generation().eosTokenIds()) : Set.of();
        return new StopCriteria(ends, List.of(), maxNewTokens);
    }

    /** SGD's route for easy points onto this (smaller) model's workers. */
    DraftRoute draftRoute() {
        return new PoolDraftRoute(model.name(), pool, model.tokenizer());
    }

    @Override
    public void close() {
        pool.close();
        model.close();
    }
}
