package dev.braid.strategy;

import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepPrice;
import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.Optional;

/**
 * What a request decoded by {@code strategy} is expected to make on a worker now: its strategy's
 * measured tokens and query tokens per step (how well its guesses were accepted on this model and
 * prompt category), priced by the worker's step cost at the batch the request joins.
 *
 * <p>The figure compared is the batch's tokens per second, not the request's own: a request that
 * guesses makes every step longer for the requests beside it, which make what the worker's last step
 * made ({@link StepPrice#tokens()} query tokens, {@link StepPrice#accepted()} accepted). Beside them a
 * guessing request also pays the cost of a query length of its own ({@link StepCost#groupMillis()}),
 * for the share of its steps that guess (at least one guessed token a step, so at most {@code
 * queryTokensPerStep - 1}). Alone on the worker the two figures are the same. Each query token beyond
 * the first also attends over the request's context ({@link StepCost#contextMillis()}), at least its
 * prompt.
 *
 * @param tokensPerStep      tokens a step of this strategy made
 * @param queryTokensPerStep query tokens a step of it carried (prompt chunks and guesses included)
 * @param stepMillis         what the worker's step costs with those and the other requests' tokens
 * @param tokensPerSecond    the batch's tokens per second with this request in it
 * @param measured           whether the figures per step were measured; {@code false} only for
 *                           {@code ar} before it has history, which makes one token a step by definition
 */
public record Forecast(String strategy, double tokensPerStep, double queryTokensPerStep, double stepMillis,
                       double tokensPerSecond, boolean measured) {

    /** The forecast of a strategy from its history, joining {@code batch}, for a prompt of {@code promptTokens}. */
    public static Forecast of(String strategy, StrategyStatistics.Throughput history, StepPrice batch,
                              int promptTokens) {
        return of(strategy, history.tokensPerStep(), history.queryTokensPerStep(), batch, promptTokens, true);
    }

    /** Plain autoregressive decoding before it has history: one query token and one token a step. */
    public static Forecast autoregressive(String strategy, StepPrice batch) {
        return of(strategy, 1, 1, batch, 0, false);
    }

    private static Forecast of(String strategy, double tokensPerStep, double queryTokensPerStep, StepPrice batch,
                               int promptTokens, boolean measured) {
        StepCost cost = batch.cost();
        int others = batch.tokens();
        // a step's tokens are whole: a request that averages 2.4 query tokens runs steps of 2 and 3
        double low = Math.floor(queryTokensPerStep);
        double high = low + 1;
        double millis = (high - queryTokensPerStep) * cost.millis(others + (int) low)
                + (queryTokensPerStep - low) * cost.millis(others + (int) high);
        if (others > 0) {
            millis += cost.groupMillis() * Math.min(1, queryTokensPerStep - 1);
        }
        millis += cost.contextMillis() * Math.max(0, queryTokensPerStep - 1) * promptTokens;
        double perSecond = millis <= 0 ? 0 : (batch.accepted() + tokensPerStep) * 1000.0 / millis;
        return new Forecast(strategy, tokensPerStep, queryTokensPerStep, millis, perSecond, measured);
    }

    /** The forecast with the most tokens per second, the earliest of equals. */
    public static Optional<Forecast> best(Collection<Forecast> forecasts) {
        return forecasts.stream().max(Comparator.comparingDouble(Forecast::tokensPerSecond));
    }

    /** "jacobi 52.1 tokens/s (2.70 tokens a step of 9.6 query tokens at 51.8 ms)". */
    public String describe() {
        return String.format(Locale.ROOT, "%s %.1f tokens/s (%.2f tokens a step of %.1f query tokens at %.1f ms%s)",
                strategy, tokensPerSecond, tokensPerStep, queryTokensPerStep, stepMillis,
                measured ? "" : ", unmeasured: one a step");
    }
}
