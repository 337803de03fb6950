package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.metrics.MetricsRecorder;
import dev.braid.metrics.RequestMetric;
import dev.braid.metrics.RequestMetricRepository;
import dev.braid.registry.ModelRegistry;
import dev.braid.support.ServiceTest;
import dev.braid.worker.WorkerStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

/** A client that goes away mid-stream stops the decoding, and the worker frees its KV blocks. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class StreamingDisconnectTest extends ServiceTest {

    @LocalServerPort
    int port;
    @Autowired
    ModelRegistry registry;
    @Autowired
    MetricsRecorder metrics;
    @Autowired
    RequestMetricRepository rows;

    @Test
    void disconnectCancelsDecodingAndFreesKvBlocks() throws Exception {
        WebClient client = WebClient.create("http://127.0.0.1:" + port);
        // a long sampled answer with end tokens out of reach: min 200 tokens unless cancelled
        Map<String, Object> body = Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 240,
                "temperature", 1.0, "seed", 1, "strategy", "ar", "stream", true);
        long before = rows.count();
        List<String> firstChunks = client.post().uri("/v1/completions").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(body).retrieve().bodyToFlux(String.class).take(3).collectList()
                .block(Duration.ofSeconds(30));
        assertThat(firstChunks).hasSize(3);
        WorkerStats stats = awaitIdle();
        assertThat(stats.runningTasks()).isZero();
        assertThat(stats.usedBlocks()).isZero();
        metrics.flush();
        RequestMetric last = rows.findAll().stream().filter(r -> r.endpoint().equals("completions"))
                .max(java.util.Comparator.comparing(RequestMetric::createdAt)).orElseThrow();
        assertThat(rows.count()).isGreaterThan(before);
        assertThat(last.outcome()).isEqualTo("cancelled");
        assertThat(last.completionTokens()).isLessThan(240);
    }

    private WorkerStats awaitIdle() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        WorkerStats stats;
        do {
            Thread.sleep(50);
            stats = registry.served(MODEL).orElseThrow().workerStats().get(0);
        } while ((stats.runningTasks() > 0 || stats.usedBlocks() > 0) && System.nanoTime() < deadline);
        return stats;
    }
}
