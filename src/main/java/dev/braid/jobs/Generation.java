package dev.braid.jobs;

import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.FinishReason;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.TokenLogprobs;
import dev.braid.metrics.MetricsRecorder;
import dev.braid.metrics.Outcome;
import dev.braid.metrics.RequestRecord;
import dev.braid.strategy.PromptShape;
import dev.braid.strategy.StrategyDecision;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

/**
 * One request on a worker. The worker thread calls the listener methods; they never block: events
 * go into a buffered sink that the HTTP response (or job runner) drains. Cancelling the event flux
 * (the client went away) cancels the task, which frees its KV blocks at the next step boundary.
 * The request's metrics row is recorded here, whoever consumes the events.
 */
public final class Generation implements GenerationListener {

    private static final Logger log = LoggerFactory.getLogger(Generation.class);

    private final GenerationCommand command;
    private final StrategyDecision decision;
    private final PromptShape shape;
    private final Admission.Permit permit;
    private final MetricsRecorder metrics;
    private final long startNanos;
    private final Instant created = Instant.now();
    private final Sinks.Many<GenerationEvent> sink = Sinks.many().unicast().onBackpressureBuffer();
    private final Map<Integer, TokenLogprobs[]> pendingLogprobs = new HashMap<>();
    private volatile DecodingTask task;
    private volatile long firstTokenNanos = -1;

    Generation(GenerationCommand command, StrategyDecision decision, PromptShape shape, Admission.Permit permit,
               MetricsRecorder metrics, long startNanos) {
        this.command = command;
        this.decision = decision;
        this.shape = shape;
        this.permit = permit;
        this.metrics = metrics;
        this.startNanos = startNanos;
    }

    void attach(DecodingTask task) {
        this.task = task;
    }

    public GenerationCommand command() {
        return command;
    }

    public StrategyDecision decision() {
        return decision;
    }

    public int promptTokens() {
        return command.promptIds().length;
    }

    public Instant created() {
        return created;
    }

    /** Token batches then one {@link GenerationEvent.Finished}; an engine failure ends it with an error. */
    public Flux<GenerationEvent> events() {
        return sink.asFlux().doOnCancel(this::cancel);
    }

    /** Stops decoding at the next step boundary; the task's KV blocks are freed then. */
    public void cancel() {
        DecodingTask current = task;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public void onLogprobs(int sequence, TokenLogprobs[] entries) {
        pendingLogprobs.put(sequence, entries);
    }

    @Override
    public void onTokens(int sequence, int[] tokenIds) {
        if (firstTokenNanos < 0) {
            firstTokenNanos = System.nanoTime();
            permit.release();
        }
        emit(new GenerationEvent.Tokens(sequence, tokenIds, pendingLogprobs.remove(sequence)));
    }

    @Override
    public void onComplete(GenerationResult result) {
        permit.release();
        boolean cancelled = task != null && task.cancelled()
                || result.completions().stream().anyMatch(c -> c.finishReason() == FinishReason.CANCELLED);
        record(result, cancelled ? Outcome.CANCELLED : Outcome.OK, null);
        if (result.speculation() != null) {
            metrics.recordSpeculation(command.model().name(), result.strategy(), result.speculation());
        }
        emit(new GenerationEvent.Finished(result));
        sink.emitComplete(Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
    }

    @Override
    public void onError(Throwable error) {
        permit.release();
        log.warn("generation on {} failed: {}", command.model().name(), error.toString());
        record(null, Outcome.ERROR, "generation_failed");
        sink.emitError(error, Sinks.EmitFailureHandler.busyLooping(java.time.Duration.ofSeconds(1)));
    }

    private void emit(GenerationEvent event) {
        // a failed emit only means nobody listens any more (the client left); the task is cancelled then
        sink.tryEmitNext(event);
    }

    private void record(GenerationResult result, Outcome outcome, String errorCode) {
        long now = System.nanoTime();
        Double ttft = firstTokenNanos < 0 ? null : (firstTokenNanos - startNanos) / 1e6;
        metrics.record(new RequestRecord(created, command.endpoint(), command.model().name(), decision.strategy(),
                decision.reason(), shape.category(), command.promptIds().length,
                result == null ? 0 : result.cachedTokens(), result == null ? 0 : result.completionTokens(), result == null ? 0 : result.steps(),
                result == null ? 0 : result.queryTokens(), ttft,
                (now - startNanos) / 1e6, result == null ? 0 : result.peakKvBlocks(), outcome, errorCode));
    }
}
