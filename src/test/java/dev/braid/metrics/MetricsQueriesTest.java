package dev.braid.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The summary's throughput is a rate over the time requests were served, not over the whole window. */
class MetricsQueriesTest {

    private final RequestMetricRepository repository = mock(RequestMetricRepository.class);
    private final MetricsQueries queries = new MetricsQueries(repository);

    private static RequestMetric row(Instant end, double latencyMs, int completionTokens, Outcome outcome) {
        return new RequestMetric(new RequestRecord(end, "chat", "m", "ar", "requested", "short", 5, 0, completionTokens,
                completionTokens, completionTokens, 1.0, latencyMs, 8, outcome, null));
    }

    @Test
    void throughputIsCompletionTokensOverTheActivePeriod() {
        Instant t = Instant.now().minus(30, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
        // the first request starts at t + 8 s, the last ends at t + 30 s: 22 s of activity in an hour
        when(repository.findByCreatedAtAfterOrderByCreatedAtAsc(any())).thenReturn(List.of(
                row(t.plusSeconds(10), 2000, 20, Outcome.OK),
                row(t.plusSeconds(20), 1000, 0, Outcome.REJECTED),
                row(t.plusSeconds(30), 4000, 46, Outcome.OK)));

        MetricsSummary summary = queries.summary(Duration.ofHours(1));

        assertThat(summary.activeSeconds()).isEqualTo(22.0);
        assertThat(summary.completionTokens()).isEqualTo(66);
        assertThat(summary.tokensPerSecond()).isEqualTo(3.0);
        assertThat(summary.requests()).isEqualTo(3);
    }

    @Test
    void oneRequestsRateIsItsOwnAndAnEmptyWindowHasNone() {
        when(repository.findByCreatedAtAfterOrderByCreatedAtAsc(any())).thenReturn(List.of(
                row(Instant.now().minusSeconds(60), 500, 10, Outcome.OK)));
        MetricsSummary one = queries.summary(Duration.ofHours(1));
        assertThat(one.activeSeconds()).isEqualTo(0.5);
        assertThat(one.tokensPerSecond()).isEqualTo(20.0);

        when(repository.findByCreatedAtAfterOrderByCreatedAtAsc(any())).thenReturn(List.of());
        MetricsSummary none = queries.summary(Duration.ofHours(1));
        assertThat(none.activeSeconds()).isZero();
        assertThat(none.tokensPerSecond()).isZero();
    }
}
