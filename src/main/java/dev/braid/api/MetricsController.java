package dev.braid.api;

import dev.braid.common.ServiceException;
import dev.braid.metrics.MetricsQueries;
import dev.braid.metrics.MetricsSeries;
import dev.braid.metrics.MetricsSummary;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Aggregates for the console: {@code /api/metrics/summary?window=PT1H} (throughput, outcomes,
 * strategy mix, tokens per step per strategy) and {@code /api/metrics/series?window=PT1H&bucket=PT1M}.
 */
@RestController
@RequestMapping(path = "/api/metrics", produces = MediaType.APPLICATION_JSON_VALUE)
class MetricsController {

    private final MetricsQueries queries;

    MetricsController(MetricsQueries queries) {
        this.queries = queries;
    }

    @GetMapping("/summary")
    Mono<MetricsSummary> summary(@RequestParam(defaultValue = "PT1H") String window) {
        Duration w = duration("window", window);
        return Mono.fromCallable(() -> queries.summary(w)).subscribeOn(Schedulers.boundedElastic());
    }

    @GetMapping("/series")
    Mono<MetricsSeries> series(@RequestParam(defaultValue = "PT1H") String window,
                               @RequestParam(defaultValue = "PT1M") String bucket) {
        Duration w = duration("window", window);
        Duration b = duration("bucket", bucket);
        return Mono.fromCallable(() -> queries.series(w, b)).subscribeOn(Schedulers.boundedElastic());
    }

    private static Duration duration(String field, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw ServiceException.invalid(field, field + " must be an ISO-8601 duration such as PT1H, got '"
                    + value + "'");
        }
    }
}
