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
 */
@ConfigurationProperties("braid.strategy")
public record StrategyProperties(@DefaultValue("16") int highLoad,
                                 @DefaultValue("20") int minSamples,
                                 @DefaultValue("24h") Duration statsWindow,
                                 @DefaultValue("30s") Duration statsRefresh) {
}
