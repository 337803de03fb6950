package dev.braid.metrics;

import dev.braid.decoding.Speculation;
import dev.braid.registry.ModelRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * Micrometer meters per request (exported at {@code /actuator/prometheus} as {@code braid_*}).
 * A refused request is counted under the model it asked for when this replica has that model
 * registered, so a model's 429s and 409s show on its own series; any other name is {@code model="-"}:
 * it comes from the client and would otherwise let anyone add time series.
 */
@Component
public class RequestMeters {

    private final MeterRegistry registry;
    private final ModelRegistry models;

    public RequestMeters(MeterRegistry registry, ModelRegistry models) {
        this.registry = registry;
        this.models = models;
    }

    void record(RequestRecord r) {
        boolean refused = r.outcome() == Outcome.REJECTED;
        // a map lookup, not the database: this may run on the event loop
        boolean known = r.model() != null && (!refused || models.localState(r.model()).isPresent());
        String model = known ? r.model() : "-";
        String strategy = r.strategy() == null ? "-" : r.strategy();
        Counter.builder("braid.requests").description("Inference requests by how they ended")
                .tag("endpoint", r.endpoint()).tag("model", model).tag("strategy", strategy)
                .tag("outcome", r.outcome().id()).register(registry).increment();
        if (refused) {
            return;
        }
        tokens(model, strategy, "prompt").increment(r.promptTokens());
        tokens(model, strategy, "completion").increment(r.completionTokens());
        Timer.builder("braid.request.latency").description("Time from request to last token")
                .tag("model", model).tag("strategy", strategy).publishPercentileHistogram()
                .register(registry).record((long) (r.latencyMs() * 1e6), TimeUnit.NANOSECONDS);
        if (r.ttftMs() != null) {
            Timer.builder("braid.request.ttft").description("Time to first token")
                    .tag("model", model).tag("strategy", strategy).publishPercentileHistogram()
                    .register(registry).record((long) (r.ttftMs() * 1e6), TimeUnit.NANOSECONDS);
        }
        if (r.steps() > 0) {
            DistributionSummary.builder("braid.tokens.per.step")
                    .description("Tokens accepted per forward pass of a request")
                    .tag("model", model).tag("strategy", strategy).register(registry).record(r.tokensPerStep());
        }
    }

    /** vLLM's speculative-decoding counters ({@code vllm:spec_decode_*}), under Braid's prefix. */
    void recordSpeculation(String model, String strategy, Speculation speculation) {
        speculationCounter("drafts", model, strategy).increment(speculation.drafts());
        speculationCounter("draft.tokens", model, strategy).increment(speculation.draftTokens());
        speculationCounter("accepted.tokens", model, strategy).increment(speculation.acceptedTokens());
    }

    private Counter speculationCounter(String what, String model, String strategy) {
        return Counter.builder("braid.spec.decode.num." + what)
                .description("Speculative decoding: steps that fed guesses (drafts), guessed tokens fed, and of "
                        + "them accepted")
                .tag("model", model).tag("strategy", strategy).register(registry);
    }

    private Counter tokens(String model, String strategy, String kind) {
        return Counter.builder("braid.tokens").description("Prompt and completion tokens")
                .tag("model", model).tag("strategy", strategy).tag("kind", kind).register(registry);
    }
}
