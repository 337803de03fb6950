package dev.braid.jobs;

import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.registry.ServedModel;

/**
 * A validated generation: what the API (or a claimed job) hands to {@link GenerationService}.
 *
 * @param endpoint      {@code completions}, {@code chat} or {@code job}, for metrics
 * @param promptText    the prompt as text (rendered template for chat), for the selector's rules
 * @param strategy      {@code auto} or a strategy name
 * @param logprobsTop   alternatives to report per token, or -1 when log-probabilities are off
 */
public record GenerationCommand(String endpoint, ServedModel model, int[] promptIds, String promptText,
                                SamplingParams sampling, StopCriteria stop, int n, String strategy,
                                StrategyParams strategyParams, int logprobsTop) {
}
