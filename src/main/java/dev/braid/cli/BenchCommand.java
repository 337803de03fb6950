package dev.braid.cli;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerPool;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code bench}: closed-loop load on the engine. At each concurrency level, that many clients each
 * send requests back to back; every request generates exactly {@code --max-new-tokens} greedy
 * tokens (end tokens are ignored so all levels do the same work). Writes JSON and Markdown.
 *
 * <p>{@code --strategy ar,lookahead,jacobi} compares strategies in one run: same process, same
 * worker, same prompts; at each level every strategy runs in turn, and each row reports its tokens
 * per step and, when {@code ar} is among them, its speed-up over AR at that level.
 */
final class BenchCommand {

    static final String USAGE = """
            bench --model DIR [--strategy ar[,lookahead,jacobi]] [--concurrency 1,8,32] [--max-new-tokens N]
                  [--requests-per-client N] [--output DIR] [--device cpu|gpu:N] [--block-size N] [--kv-blocks N]
                  %s""".formatted(StrategyOptions.USAGE);

    private static final Set<String> VALUED = GenerateCommand.union(
            GenerateCommand.union(EngineOptions.VALUED, StrategyOptions.VALUED),
            Set.of("strategy", "concurrency", "max-new-tokens", "requests-per-client", "output"));

    /** Prompts of assorted shapes; a client cycles through them. */
    private static final List<String> PROMPTS = List.of(
            "List three ways to reduce the memory footprint of a Java service.",
            "Explain how a paged KV cache works, step by step.",
            "Write a function that returns the n-th Fibonacci number.",
            "What is the difference between latency and throughput?",
            "Describe the water cycle in a short paragraph.",
            "Give two reasons to prefer immutable data structures, and one drawback.",
            "How do I roll back a Kubernetes deployment?",
            "Summarise the rules of chess in a few sentences.");

    private record RequestRecord(GenerationResult result, long[] tokenTimes) {
    }

    /** What every request of the run shares. */
    private record Workload(WorkerPool pool, List<int[]> prompts, int maxNewTokens, StrategyParams params) {
    }

    private BenchCommand() {
    }

    static int run(String[] args, PrintStream out) throws InterruptedException {
        Options options = Options.parse(args, 1, VALUED, Set.of());
        List<DecodingStrategy> strategies = strategies(options.string("strategy", "ar"));
        StrategyParams params = StrategyOptions.params(options);
        int[] levels = options.has("concurrency") ? options.integers("concurrency", 1) : new int[] {1, 8, 32};
        int maxNewTokens = options.integer("max-new-tokens", 64, 1, 1 << 16);
        int perClient = options.integer("requests-per-client", 2, 1, 1000);
        Path output = Path.of(options.string("output", "target/bench"));
        int maxLevel = Arrays.stream(levels).max().orElse(1);
        List<Map<String, Object>> rows = new ArrayList<>();
        try (LoadedModel model = EngineOptions.loadModel(options);
             WorkerPool pool = WorkerPool.of(List.of(model.transformer()), EngineOptions.workerSettings(options, maxLevel))) {
            // an instruction model is benchmarked on what it serves: prompts in its own chat format
            List<int[]> prompts = PROMPTS.stream()
                    .map(p -> model.tokenizer().encode(GenerateCommand.asUserTurn(model, p, false))).toList();
            Workload workload = new Workload(pool, prompts, maxNewTokens, params);
            // a full request per strategy first: with one short warm-up, whichever strategy ran first at a
            // level paid for the JIT and looked up to 1.8x slower than the same steps run later
            for (DecodingStrategy strategy : strategies) {
                runClient(workload, strategy, prompts.get(0));
            }
            for (int level : levels) {
                for (DecodingStrategy strategy : strategies) {
                    rows.add(runLevel(workload, strategy, level, perClient));
                }
            }
            addSpeedups(rows);
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", model.name());
            report.put("parameters", model.transformer().parameterCount());
            report.put("strategy", String.join(",", strategies.stream().map(DecodingStrategy::name).toList()));
            report.put("strategy_params", Map.of(
                    "window", params.lookahead().window(), "ngram", params.lookahead().ngram(),
                    "candidates", params.lookahead().candidates(), "jacobi_block", params.jacobi().blockSize()));
            report.put("max_new_tokens", maxNewTokens);
            report.put("requests_per_client", perClient);
            report.put("device", model.transformer().device().toString());
            report.put("levels", rows);
            String markdown = markdown(report, rows);
            BenchReport.write(output, "bench", report, markdown);
            out.print(markdown);
            return 0;
        }
    }

    /** The strategies of {@code --strategy}, in order, each once. */
    private static List<DecodingStrategy> strategies(String list) {
        List<DecodingStrategy> strategies = new ArrayList<>();
        for (String name : list.split(",")) {
            DecodingStrategy strategy = EngineOptions.strategy(name.trim());
            if (strategies.contains(strategy)) {
                throw new UsageException("--strategy names " + name.trim() + " twice");
            }
            strategies.add(strategy);
        }
        return strategies;
    }

    private static Map<String, Object> runLevel(Workload workload, DecodingStrategy strategy, int clients,
                                                int perClient) throws InterruptedException {
        WorkerPool pool = workload.pool();
        List<int[]> prompts = workload.prompts();
        long stepsBefore = totalSteps(pool);
        pool.workers().forEach(DeviceWorker::resetPeakBlocks);
        long start = System.nanoTime();
        List<CompletableFuture<List<RequestRecord>>> futures = new ArrayList<>();
        ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(CompletableFuture.supplyAsync(() -> {
                List<RequestRecord> records = new ArrayList<>();
                for (int r = 0; r < perClient; r++) {
                    records.add(runClient(workload, strategy, prompts.get((client + r) % prompts.size())));
                }
                return records;
            }, clientThreads));
        }
        List<RequestRecord> records = new ArrayList<>();
        for (CompletableFuture<List<RequestRecord>> f : futures) {
            try {
                records.addAll(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("bench request failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        clientThreads.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        long steps = totalSteps(pool) - stepsBefore;
        long tokens = records.stream().mapToLong(r -> r.result().completionTokens()).sum();
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        double requestSteps = 0;
        for (RequestRecord record : records) {
            ttft.add(record.result().firstTokenNanos() / 1e6);
            for (int i = 1; i < record.tokenTimes().length; i++) {
                itl.add((record.tokenTimes()[i] - record.tokenTimes()[i - 1]) / 1e6);
            }
            requestSteps += record.result().steps();
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("strategy", strategy.name());
        row.put("concurrency", clients);
        row.put("requests", records.size());
        row.put("completion_tokens", tokens);
        row.put("seconds", BenchReport.round(seconds));
        row.put("tokens_per_second", BenchReport.round(tokens / seconds));
        row.put("steps", steps);
        row.put("ms_per_step", BenchReport.round(seconds * 1000 / Math.max(1, steps)));
        row.put("tokens_per_request_step", BenchReport.round(tokens / Math.max(1, requestSteps)));
        row.put("ttft_ms_p50", BenchReport.round(BenchReport.percentile(ttft, 50)));
        row.put("itl_ms_p50", BenchReport.round(BenchReport.percentile(itl, 50)));
        row.put("itl_ms_p99", BenchReport.round(BenchReport.percentile(itl, 99)));
        row.put("peak_kv_blocks", pool.workers().stream().mapToInt(w -> w.stats().peakUsedBlocks()).sum());
        return row;
    }

    /** One request; blocks its (virtual) client thread until the result arrives. */
    private static RequestRecord runClient(Workload workload, DecodingStrategy strategy, int[] prompt) {
        int maxNewTokens = workload.maxNewTokens();
        long[] times = new long[maxNewTokens + 1];
        int[] count = {0};
        CompletableFuture<GenerationResult> done = new CompletableFuture<>();
        GenerationListener listener = new GenerationListener() {
            @Override
            public void onTokens(int sequence, int[] tokenIds) {
                long now = System.nanoTime();
                for (int i = 0; i < tokenIds.length && count[0] < times.length; i++) {
                    times[count[0]++] = now;
                }
            }

            @Override
            public void onComplete(GenerationResult result) {
                done.complete(result);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        };
        StopCriteria stop = new StopCriteria(Set.of(), List.of(), maxNewTokens);
        GenerationRequest request = new GenerationRequest(prompt, SamplingParams.GREEDY, stop, 1, workload.params());
        workload.pool().submit(strategy.newTask(request, ids -> "", listener));
        GenerationResult result = done.join();
        return new RequestRecord(result, Arrays.copyOf(times, count[0]));
    }

    /** Each row's tokens/s over AR's at the same concurrency, when AR was measured. */
    private static void addSpeedups(List<Map<String, Object>> rows) {
        Map<Object, Double> arByLevel = new HashMap<>();
        for (Map<String, Object> row : rows) {
            if (AutoregressiveStrategy.NAME.equals(row.get("strategy"))) {
                arByLevel.put(row.get("concurrency"), ((Number) row.get("tokens_per_second")).doubleValue());
            }
        }
        if (arByLevel.isEmpty()) {
            return;
        }
        for (Map<String, Object> row : rows) {
            double ar = arByLevel.get(row.get("concurrency"));
            row.put("speedup_vs_ar", BenchReport.round(((Number) row.get("tokens_per_second")).doubleValue() / ar));
        }
    }

    private static long totalSteps(WorkerPool pool) {
        return pool.workers().stream().mapToLong(w -> w.stats().steps()).sum();
    }

    private static String markdown(Map<String, Object> report, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("## bench: ").append(report.get("model")).append(" (").append(report.get("parameters"))
                .append(" parameters), strategy ").append(report.get("strategy")).append(", ")
                .append(report.get("max_new_tokens")).append(" new tokens per request, device ")
                .append(report.get("device")).append("\n\n");
        List<String> columns = List.copyOf(rows.get(0).keySet());
        md.append(BenchReport.table(columns, rows));
        Map<Object, List<Map<String, Object>>> byStrategy = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            byStrategy.computeIfAbsent(row.get("strategy"), k -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<Object, List<Map<String, Object>>> entry : byStrategy.entrySet()) {
            List<Map<String, Object>> levels = entry.getValue();
            if (levels.size() > 1) {
                double base = ((Number) levels.get(0).get("tokens_per_second")).doubleValue();
                double last = ((Number) levels.get(levels.size() - 1).get("tokens_per_second")).doubleValue();
                md.append(byStrategy.size() > 1 ? "\n" + entry.getKey() + ": t" : "\nT")
                        .append("hroughput at concurrency ").append(levels.get(levels.size() - 1).get("concurrency"))
                        .append(" is ").append(BenchReport.round(last / base)).append("x that at concurrency ")
                        .append(levels.get(0).get("concurrency")).append(".\n");
            }
        }
        return md.toString();
    }

}
