package dev.braid.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code bench --url}: closed-loop load on a running service over HTTP. At each concurrency level
 * that many clients send {@code /v1/completions} requests back to back (greedy, {@code max_tokens}
 * each); reports throughput and end-to-end latency percentiles, and writes JSON and Markdown.
 */
final class HttpBench {

    static final Usage USAGE = new Usage("bench", """
            Closed-loop load on a running service over HTTP (/v1/completions, greedy, max_tokens each);
            writes bench-http.json and bench-http.md: requests/s, tokens/s, latency p50/p99, errors and
            the strategies the service chose.""",
            List.of(Option.required("url", "URL", "the service, e.g. http://localhost:8080"),
                    Option.required("model", "NAME", "a model the service serves"),
                    Option.valued("concurrency", "1,8,32", "the concurrency levels").defaults("1,8,32"),
                    Option.valued("max-new-tokens", "N", "max_tokens of each request").defaults(32),
                    Option.valued("requests-per-client", "N", "requests each client sends per level").defaults(4),
                    Option.valued("strategy", "auto|" + EngineOptions.strategies("|"), "the request's strategy").defaults("auto"),
                    Option.valued("api-key", "KEY", "sent as Authorization: Bearer KEY"),
                    Option.valued("output", "DIR", "where the reports go").defaults("target/bench-http")));

    private static final List<String> PROMPTS = List.of(
            "List three ways to reduce the memory footprint of a Java service.",
            "Explain how a paged KV cache works, step by step.",
            "What is the difference between latency and throughput?",
            "Describe the water cycle in a short paragraph.");
    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private record Outcome(boolean ok, double latencyMs, int completionTokens, String strategy, String error) {
    }

    private HttpBench() {
    }

    static boolean handles(String[] args) {
        return Arrays.asList(args).contains("--url");
    }

    static int run(String[] args, PrintStream out) throws InterruptedException {
        Options options = Options.parse(args, 1, USAGE);
        URI base = URI.create(options.required("url").replaceAll("/+$", ""));
        String model = options.required("model");
        int[] levels = options.integers("concurrency", 1);
        int maxTokens = options.integer("max-new-tokens", 1, 1 << 16);
        int perClient = options.integer("requests-per-client", 1, 10_000);
        String strategy = options.string("strategy");
        String key = options.string("api-key", null);
        Path output = Path.of(options.string("output"));
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<Map<String, Object>> rows = new ArrayList<>();
        // one warm-up request, so the first level does not pay for JIT and connection setup
        Outcome warm = send(http, base, key, body(model, PROMPTS.get(0), Math.min(4, maxTokens), strategy));
        if (!warm.ok()) {
            throw new IllegalStateException("the service refused the warm-up request: " + warm.error());
        }
        for (int level : levels) {
            rows.add(level(http, base, key, model, strategy, level, perClient, maxTokens));
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("url", base.toString());
        report.put("model", model);
        report.put("strategy", strategy);
        report.put("max_new_tokens", maxTokens);
        report.put("requests_per_client", perClient);
        report.put("levels", rows);
        String markdown = markdown(report, rows);
        BenchReport.write(output, "bench-http", report, markdown);
        out.print(markdown);
        return 0;
    }

    private static Map<String, Object> level(HttpClient http, URI base, String key, String model, String strategy,
                                             int clients, int perClient, int maxTokens) throws InterruptedException {
        long start = System.nanoTime();
        List<CompletableFuture<List<Outcome>>> futures = new ArrayList<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(CompletableFuture.supplyAsync(() -> {
                    List<Outcome> outcomes = new ArrayList<>();
                    for (int r = 0; r < perClient; r++) {
                        String prompt = PROMPTS.get((client + r) % PROMPTS.size());
                        outcomes.add(send(http, base, key, body(model, prompt, maxTokens, strategy)));
                    }
                    return outcomes;
                }, threads));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (CompletableFuture<List<Outcome>> f : futures) {
                try {
                    outcomes.addAll(f.get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("bench client failed: " + e.getCause(), e.getCause());
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            List<Double> latencies = outcomes.stream().filter(Outcome::ok).map(Outcome::latencyMs).toList();
            long tokens = outcomes.stream().filter(Outcome::ok).mapToLong(Outcome::completionTokens).sum();
            Map<String, Long> strategies = new java.util.TreeMap<>();
            outcomes.stream().filter(Outcome::ok).forEach(o -> strategies.merge(o.strategy(), 1L, Long::sum));
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("concurrency", clients);
            row.put("requests", outcomes.size());
            row.put("errors", outcomes.stream().filter(o -> !o.ok()).count());
            row.put("completion_tokens", tokens);
            row.put("seconds", BenchReport.round(seconds));
            row.put("requests_per_second", BenchReport.round(latencies.size() / seconds));
            row.put("tokens_per_second", BenchReport.round(tokens / seconds));
            row.put("latency_ms_p50", BenchReport.round(BenchReport.percentile(latencies, 50)));
            row.put("latency_ms_p99", BenchReport.round(BenchReport.percentile(latencies, 99)));
            row.put("strategies", strategies.toString());
            outcomes.stream().filter(o -> !o.ok()).findFirst().ifPresent(o -> row.put("first_error", o.error()));
            return row;
        }
    }

    private static String body(String model, String prompt, int maxTokens, String strategy) {
        return JSON.writeValueAsString(Map.of("model", model, "prompt", prompt, "max_tokens", maxTokens,
                "temperature", 0, "strategy", strategy));
    }

    private static Outcome send(HttpClient http, URI base, String key, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        long start = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            double ms = (System.nanoTime() - start) / 1e6;
            JsonNode json = JSON.readTree(response.body());
            if (response.statusCode() != 200) {
                return new Outcome(false, ms, 0, null, response.statusCode() + " "
                        + json.path("error").path("message").asString(response.body()));
            }
            return new Outcome(true, ms, json.path("usage").path("completion_tokens").asInt(),
                    json.path("braid").path("strategy").asString("?"), null);
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, (System.nanoTime() - start) / 1e6, 0, null, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, 0, 0, null, "interrupted");
        }
    }


    private static String markdown(Map<String, Object> report, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("## bench over HTTP: ").append(report.get("url")).append(", model ").append(report.get("model"))
                .append(", strategy ").append(report.get("strategy")).append(", ").append(report.get("max_new_tokens"))
                .append(" new tokens per request\n\n");
        List<String> columns = List.of("concurrency", "requests", "errors", "completion_tokens", "seconds",
                "requests_per_second", "tokens_per_second", "latency_ms_p50", "latency_ms_p99", "strategies");
        return md.append(BenchReport.table(columns, rows)).toString();
    }
}
