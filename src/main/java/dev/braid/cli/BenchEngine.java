package dev.braid.cli;

import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.sgd.DraftRoute;
import dev.braid.model.ChatTemplate;
import dev.braid.model.LoadedModel;
import dev.braid.worker.PoolDraftRoute;
import dev.braid.worker.WorkerPool;
import dev.braid.worker.WorkerSettings;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;

/** One model a bench run decodes with, under one set of worker settings: its own worker pool. */
final class BenchEngine implements AutoCloseable {

    private final LoadedModel model;
    private final WorkerPool pool;
    private final WorkerSettings settings;
    private final boolean ownsModel;
    private final ModelledStepCost modelled;
    private final Map<List<Object>, int[]> longDocuments = new ConcurrentHashMap<>();

    BenchEngine(LoadedModel model, WorkerSettings settings) {
        this(model, settings, true, null);
    }

    /**
     * An engine on {@code model}, which it closes only if {@code ownsModel}: engines may share one. Its
     * workers price guesses by {@code modelled} where that is not null, by their measured cost otherwise.
     */
    BenchEngine(LoadedModel model, WorkerSettings settings, boolean ownsModel, ModelledStepCost modelled) {
        this.model = model;
        this.pool = WorkerPool.of(List.of(model.transformer()), settings, modelled);
        this.settings = settings;
        this.ownsModel = ownsModel;
        this.modelled = modelled;
    }

    /** The device its workers price guesses by, or null where they price them by their own steps. */
    ModelledStepCost modelled() {
        return modelled;
    }

    LoadedModel model() {
        return model;
    }

    WorkerPool pool() {
        return pool;
    }

    /**
     * A question as this model is served it: in its own chat format when it has one, behind
     * {@code system} as the system turn when that is not null; {@link LongDocument}'s question is
     * sized to the model, within {@code maxTokens}.
     */
    int[] encodeQuestion(String system, String question, int maxTokens) {
        if (LongDocument.asks(question)) {
            return longDocuments.computeIfAbsent(List.of(String.valueOf(system), question, maxTokens),
                    k -> LongDocument.encode(question, q -> encodeQuestion(system, q, maxTokens), maxTokens));
        }
        if (system == null) {
            return model.tokenizer().encode(GenerateCommand.asUserTurn(model, question, false));
        }
        ChatTemplate template = ChatTemplate.of(model.tokenizerConfig());
        if (template.isDefault()) {
            return model.tokenizer().encode(system + "\n\n" + question);
        }
        return model.tokenizer().encode(template.render(List.of(new ChatTemplate.Message("system", system),
                new ChatTemplate.Message("user", question))));
    }

    /** The settings its workers run with, as configured (a step budget of 0 is each worker's own). */
    WorkerSettings settings() {
        return settings;
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
        if (ownsModel) {
            model.close();
        }
    }
}
