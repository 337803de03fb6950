package dev.braid.strategy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.strategy.*}: the {@code auto} policy's knobs.
 *
 * @param highLoad      requests running or waiting on the worker at which {@code auto} backs off to
 *                      {@code ar}: parallel strategies spend extra tokens per step, which stop being
 *                      free once the batch keeps the device busy
 * @param minSamples    completed requests per model × strategy × prompt category before learned
 *                      throughput overrides the rules
 * @param statsWindow   how far back learned statistics look
 * @param statsRefresh  how often they are re-read from {@code request_metrics}
 * @param exploreEvery  every this many {@code auto} requests that the rules would decide, one goes to a
 *                      candidate with fewer than {@code minSamples} measurements instead, so that learned
 *                      throughput comes to cover the alternatives (0: never). Without it the rules'
 *                      choice is the only one ever measured: on a 2-core CPU they pick lookahead for
 *                      greedy requests, which ran at 0.8-0.9x AR on braid-base there.
 */
@ConfigurationProperties("braid.strategy")
public record StrategyProperties(@DefaultValue("16") int highLoad,
                                 @DefaultValue("20") int minSamples,
                                 @DefaultValue("24h") Duration statsWindow,
                                 @DefaultValue("30s") Duration statsRefresh,
                                 @DefaultValue("10") int exploreEvery) {

    public StrategyProperties {
        if (exploreEvery < 0) {
            throw new IllegalArgumentException("braid.strategy.explore-every must not be negative, got " + exploreEvery);
        }
    }
}
