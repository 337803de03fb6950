package dev.braid.strategy;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code braid.strategy.*}: the {@code auto} policy's knobs.
 *
 * @param highLoad      requests running or waiting on the worker at which {@code auto}'s rules back off
 *                      to {@code ar} while no parallel strategy can be predicted yet: parallel strategies
 *                      spend extra tokens per step, which stop being free once the batch keeps the
 *                      device busy
 * @param minSamples    completed requests per model × strategy × prompt category before {@code auto}
 *                      predicts that strategy's tokens per second from them
 * @param statsWindow   how far back learned statistics look
 * @param statsRefresh  how often they are re-read from {@code request_metrics}
 * @param exploreEvery  every this many {@code auto} decisions that leave a candidate with fewer than
 *                      {@code minSamples} measurements, one goes to that candidate instead, so that every
 *                      candidate comes to be predicted (0: never). Without it only what {@code auto}
 *                      picks is ever measured.
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
