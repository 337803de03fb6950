package dev.braid.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.support.ServiceTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Every request leaves one request_metrics row, failed and refused ones too; aggregates read them. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class RequestMetricsTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    MetricsRecorder recorder;
    @Autowired
    RequestMetricRepository rows;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    /** PostgreSQL cannot store a NUL in text: that row is dropped and counted, the rows around it are written. */
    @Test
    void aRowTheDatabaseRefusesIsDroppedAloneAndCounted() {
        recorder.flush();
        long before = rows.count();
        double unwritable = meters.counter("braid.metrics.dropped", "reason", "unwritable").count();
        java.time.Instant now = java.time.Instant.now();
        for (String model : List.of("before-poison", "poison\u0000", "after-poison-1", "after-poison-2")) {
            recorder.record(new RequestRecord(now, "completions", model, "ar", "requested", "short", 3, 0, 2, 2, 2, 1.0,
                    2.0, 1, Outcome.OK, null));
        }
        recorder.flush();
        assertThat(rows.count()).isEqualTo(before + 3);
        assertThat(rows.findAll()).extracting(RequestMetric::model)
                .contains("before-poison", "after-poison-1", "after-poison-2");
        assertThat(meters.counter("braid.metrics.dropped", "reason", "unwritable").count())
                .isEqualTo(unwritable + 1);
        assertThat(recorder.buffered()).isZero();
        // and the writer keeps writing what comes next
        recorder.record(new RequestRecord(now, "completions", "after-the-flush", "ar", "requested", "short", 3, 0, 2, 2, 2,
                1.0, 2.0, 1, Outcome.OK, null));
        recorder.flush();
        assertThat(rows.count()).isEqualTo(before + 4);
    }

    @Test
    void oneRowPerRequestIncludingFailures() {
        recorder.flush();
        long before = rows.count();
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", MODEL, "prompt", "Metrics please", "max_tokens", 5, "temperature", 0,
                        "strategy", "ar"))
                .exchange().expectStatus().isOk();
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "ghost", "prompt", "x")).exchange().expectStatus().isNotFound();
        client.post().uri("/v1/chat/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{not json").exchange().expectStatus().isBadRequest();
        recorder.flush();
        List<RequestMetric> added = rows.findAll().stream()
                .sorted(java.util.Comparator.comparing(RequestMetric::createdAt))
                .skip(before).toList();
        assertThat(added).hasSize(3);
        RequestMetric ok = added.stream().filter(r -> r.outcome().equals("ok")).findFirst().orElseThrow();
        assertThat(ok.model()).isEqualTo(MODEL);
        assertThat(ok.strategy()).isEqualTo("ar");
        assertThat(ok.selectorReason()).isEqualTo("requested");
        assertThat(ok.promptTokens()).isPositive();
        assertThat(ok.completionTokens()).isBetween(1, 5);
        assertThat(ok.steps()).isEqualTo(ok.completionTokens());
        assertThat(ok.queryTokens()).as("the prompt's uncached tokens, then each new token but the last")
                .isEqualTo(ok.promptTokens() - ok.cachedTokens() + ok.completionTokens() - 1);
        assertThat(ok.ttftMs()).isNotNull().isPositive();
        assertThat(ok.latencyMs()).isGreaterThanOrEqualTo(ok.ttftMs());
        assertThat(ok.peakKvBlocks()).isPositive();
        assertThat(added).filteredOn(r -> r.outcome().equals("rejected")).extracting(RequestMetric::errorCode)
                .containsExactlyInAnyOrder("model_not_found", "invalid_request");
    }

    @Test
    void aRejectedRequestIsCountedUnderTheRegisteredModelItAskedFor() {
        double onTiny = rejected(MODEL);
        double unnamed = rejected("-");
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", MODEL, "prompt", "x", "max_tokens", 0)).exchange()
                .expectStatus().isBadRequest();
        // a name no one registered stays out of the labels: clients cannot add series
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", "ghost-" + System.nanoTime(), "prompt", "x")).exchange()
                .expectStatus().isNotFound();
        recorder.flush();
        assertThat(rejected(MODEL)).isEqualTo(onTiny + 1);
        assertThat(rejected("-")).isEqualTo(unnamed + 1);
    }

    private double rejected(String model) {
        return meters.counter("braid.requests", "endpoint", "completions", "model", model, "strategy", "-",
                "outcome", "rejected").count();
    }

    @Test
    void aggregatesAndPrometheus() {
        client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("model", MODEL, "prompt", "Aggregate me", "max_tokens", 4, "temperature", 0,
                        "strategy", "ar"))
                .exchange().expectStatus().isOk();
        recorder.flush();
        client.get().uri("/api/metrics/summary?window=PT1H").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.requests").value(n -> assertThat(((Number) n).longValue()).isPositive())
                .jsonPath("$.active_seconds").value(s -> assertThat(((Number) s).doubleValue()).isPositive())
                .jsonPath("$.strategies[?(@.strategy == 'ar')].tokens_per_step").isEqualTo(List.of(1.0))
                .jsonPath("$.outcomes.ok").exists();
        client.get().uri("/api/metrics/series?window=PT1H&bucket=PT5M").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.points[0].strategy").exists();
        client.get().uri("/actuator/prometheus").exchange().expectStatus().isOk().expectBody(String.class)
                .value(body -> assertThat(body).contains("braid_requests_total").contains("braid_tokens_per_step")
                        .contains("braid_kv_blocks_used").contains("braid_kv_blocks_cached")
                        .contains("braid_prefix_cache_queries_total").contains("braid_prefix_cache_hits_total"));
    }
}
