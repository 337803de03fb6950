package dev.braid.jobs;

import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.decoding.DecodingStrategies;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.apar.AparStrategy;
import dev.braid.decoding.apar.SerialAparStrategy;
import dev.braid.decoding.sgd.SgdPrompts;
import dev.braid.decoding.sgd.SgdStrategy;
import dev.braid.metrics.MetricsRecorder;
import dev.braid.registry.Capability;
import dev.braid.registry.DraftPartners;
import dev.braid.registry.ServedModel;
import dev.braid.strategy.PromptShape;
import dev.braid.strategy.SgdProperties;
import dev.braid.strategy.StrategyDecision;
import dev.braid.strategy.StrategySelector;
import dev.braid.worker.QueueFullException;
import org.springframework.stereotype.Service;

/**
 * The one path from a validated request to a worker: admit, choose the strategy, build the task and
 * queue it. Non-blocking (queueing a task is a queue insert), so it runs on the event loop.
 *
 * <p>SGD runs with the configured prompts ({@code braid.strategy.sgd}) and, when the model's draft
 * partner is loaded here and shares its tokenizer, sends its easy points to the partner's workers;
 * otherwise the target writes every point (the trace's node models say which model wrote each).
 *
 * <p>An APAR-tuned model writes {@code [Fork]} after each item's title and leaves the detail to a
 * branch; under a strategy that does not open branches it would answer with the titles alone. So
 * on such a model every strategy but {@code apar} and {@code sgd} runs as {@code apar-serial}, the
 * same branches one at a time, and the decision says so.
 */
@Service
public class GenerationService {


    private final Admission admission;
    private final StrategySelector selector;
    private final MetricsRecorder metrics;
    private final DraftPartners partners;
    private final SgdPrompts sgdPrompts;

    public GenerationService(Admission admission, StrategySelector selector, MetricsRecorder metrics,
                             DraftPartners partners, SgdProperties sgd) {
        this.admission = admission;
        this.selector = selector;
        this.metrics = metrics;
        this.partners = partners;
        this.sgdPrompts = sgd.prompts();
    }

    /** Refuses now what {@link #start} would refuse for the request itself (e.g. its strategy), for jobs. */
    public StrategyDecision check(GenerationCommand command) {
        return decide(command, shape(command));
    }

    public Generation start(GenerationCommand command) {
        long start = System.nanoTime();
        PromptShape shape = shape(command);
        StrategyDecision decision = decide(command, shape);
        DecodingStrategy strategy = strategy(decision.strategy(), command.model());
        GenerationRequest request;
        try {
            request = new GenerationRequest(command.promptIds(), command.sampling(), command.stop(), command.n(),
                    command.strategyParams());
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid(null, e.getMessage());
        }
        Admission.Permit permit = admission.acquire((long) command.promptIds().length * command.n());
        Generation generation = new Generation(command, decision, shape, permit, metrics, start);
        try {
            DecodingTask task = strategy.newTask(request, command.model().model().tokenizer(), generation);
            if (command.logprobsTop() >= 0) {
                task.reportLogprobs(command.logprobsTop());
            }
            generation.attach(task);
            command.model().pool().submit(task);
        } catch (QueueFullException e) {
            permit.release();
            throw admission.queueFull(e.getMessage());
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            permit.release();
            throw ServiceException.invalid(null, e.getMessage());
        } catch (IllegalStateException e) {
            permit.release();
            throw new ServiceException(ErrorKind.NOT_READY, null, e.getMessage());
        }
        return generation;
    }

    private StrategyDecision decide(GenerationCommand command, PromptShape shape) {
        return branchesWritten(selector.select(command.model(), command.strategy(), shape), command.model(), shape);
    }

    /**
     * The decision as it runs on {@code model}: where the model forks and the chosen strategy writes no
     * branches, {@code apar-serial} writes them. Log-probabilities only {@code ar} reports, so a request
     * for them keeps plain {@code ar}, and its reason says the details stay unwritten.
     */
    private static StrategyDecision branchesWritten(StrategyDecision decision, ServedModel model, PromptShape shape) {
        String chosen = decision.strategy();
        if (chosen.equals(AparStrategy.NAME) || chosen.equals(SgdStrategy.NAME)
                || !model.capabilities().contains(Capability.APAR)
                || !SerialAparStrategy.forks(model.model().tokenizer())) {
            return decision;
        }
        if (shape.logprobs()) {
            return new StrategyDecision(chosen, decision.reason() + "; model '" + model.name() + "' is APAR-tuned,"
                    + " but only plain ar reports logprobs, so the detail behind each [Fork] is not written");
        }
        return new StrategyDecision(SerialAparStrategy.NAME, decision.reason() + "; model '" + model.name()
                + "' is APAR-tuned: " + chosen + " would stop each item at its [Fork], so " + SerialAparStrategy.NAME
                + " writes the branches one after another with plain steps");
    }

    /** The strategy of that name as this service runs it on {@code model}. */
    DecodingStrategy strategy(String name, ServedModel model) {
        DecodingStrategy strategy = DecodingStrategies.runnable(name).orElseThrow(() ->
                new ServiceException(ErrorKind.UNSUPPORTED_STRATEGY, "strategy",
                        "strategy '" + name + "' is not available"));
        if (strategy instanceof SgdStrategy) {
            return new SgdStrategy(sgdPrompts, partners.routeFor(model).orElse(null));
        }
        return strategy;
    }

    private static PromptShape shape(GenerationCommand command) {
        return PromptShape.of(command.promptText(), command.promptIds().length, command.sampling().temperature(),
                command.n(), command.logprobsTop() >= 0);
    }
}
