package dev.braid.cli;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StrategyParams;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.StepProfile;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerPool;
import dev.braid.worker.WorkerSettings;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/** The bench's load: each level's closed-loop clients on every target, and the rows that measure them. */
final class BenchLoad {

    private record Answer(String question, GenerationResult result, long[] tokenTimes, long nanos) {
    }

    /** One answer as {@code bench --auto} weighs it: what it made, its steps' tokens, how long it took. */
    record Answered(BenchTarget target, int clients, String question, int promptTokens, long tokens, long steps,
                    long queryTokens, long nanos) {
    }

    /**
     * What a stretch of one target's load measured; the stretches of one level (its rounds) add up to
     * its row, and {@code roundTokensPerSecond} keeps each one's own rate.
     */
    private record Measurement(List<Answer> answers, double seconds, long steps, int peakKvBlocks,
                               StepProfile.Totals profile, List<Double> roundTokensPerSecond, long jitMillis) {

        Measurement plus(Measurement later) {
            List<Answer> all = new ArrayList<>(answers);
            all.addAll(later.answers());
            List<Double> rounds = new ArrayList<>(roundTokensPerSecond);
            rounds.addAll(later.roundTokensPerSecond());
            return new Measurement(all, seconds + later.seconds(), steps + later.steps(),
                    Math.max(peakKvBlocks, later.peakKvBlocks()), profile.plus(later.profile()), rounds,
                    jitMillis + later.jitMillis());
        }
    }

    /** The process's compilers: only one target runs at a time, so their time in a turn is that turn's. */
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    /** A row's tokens per second on the device of {@code --modelled-step-cost}, when it ran priced by one. */
    static final String MODELLED_TOKENS_PER_SECOND = "modelled_tokens_per_second";

    /** Each row's tokens per second round by round, which {@link RoundComparison} reads against AR's. */
    static final String ROUND_TOKENS_PER_SECOND = "round_tokens_per_second";

    private final int maxNewTokens;
    private final boolean untilEnd;
    private final StrategyParams params;
    private final AnswerScorer scorer;
    private final int blockSize;
    private final boolean profiling;
    private final StepBounds.Host host;
    private final long staggerMillis;

    /** A row's milliseconds per step by phase, when profiling. */
    static final String STEP_PROFILE = "step_profile_ms";

    /**
     * {@code scorer} may be null: rows then carry no quality column. With {@code profiling}, each row
     * carries its steps' time by phase under {@link #STEP_PROFILE}. Every row carries its steps'
     * bounds on {@code host} ({@link StepBounds}). Client {@code i} of a level starts
     * {@code i * staggerMillis} after the first, so a late client's prompt arrives while the others
     * decode.
     */
    BenchLoad(int maxNewTokens, boolean untilEnd, StrategyParams params, AnswerScorer scorer, int blockSize,
              boolean profiling, StepBounds.Host host, long staggerMillis) {
        this.staggerMillis = staggerMillis;
        this.profiling = profiling;
        this.host = host;
        this.maxNewTokens = maxNewTokens;
        this.untilEnd = untilEnd;
        this.params = params;
        this.scorer = scorer;
        this.blockSize = blockSize;
    }

    /** The answers of the levels run since {@link #answered()} was last called. */
    private final List<Answered> answered = new ArrayList<>();

    /** The answers of the levels run since the last call, each once. */
    List<Answered> answered() {
        List<Answered> all = List.copyOf(answered);
        answered.clear();
        return all;
    }

    /** The target each engine measured last; its prefix cache holds that target's prompts. */
    private final Map<BenchEngine, BenchTarget> lastOnEngine = new HashMap<>();

    /** {@code requests} unmeasured answers from {@code target}, one from each prompt set in turn. */
    void warmUp(BenchTarget target, List<BenchPrompts> sets, int requests) {
        for (int i = 0; i < requests; i++) {
            BenchPrompts set = sets.get(i % sets.size());
            request(target, set.system(), set.prompts().get(i / sets.size() % set.prompts().size()));
        }
    }

    /**
     * One level, every target, a row each. The targets take turns round by round, so a slow spell
     * of a shared host lands on all of them alike, in an order that moves on a target each round:
     * whatever the request before leaves behind (the weights a strategy's steps read last, in the
     * cache or not) falls on each target in turn. With one client a round is one request. With more,
     * each client's requests are split into {@code rounds}, since every round ends with clients idle
     * while the last answers finish; one round runs each target's closed loop whole.
     */
    List<Map<String, Object>> level(List<BenchTarget> targets, String system, List<String> questions, int clients,
                                    int perClient, int rounds)
            throws InterruptedException {
        lastOnEngine.clear(); // every level starts with empty prefix caches
        Measurement[] measured = new Measurement[targets.size()];
        int turns = clients == 1 ? perClient : rounds;
        for (int r = 0; r < turns; r++) {
            // requests [from, to) of each client's perClient
            int from = perClient * r / turns;
            int to = perClient * (r + 1) / turns;
            // each round starts one target further on, so none always runs first or right after the same one
            for (int i = 0; i < targets.size(); i++) {
                int t = (r + i) % targets.size();
                Measurement turn = measure(targets.get(t), system, questions, clients, to - from, from * clients);
                measured[t] = measured[t] == null ? turn : measured[t].plus(turn);
            }
        }
        Map<BenchEngine, Map<String, int[]>> arAnswers = arAnswers(targets, measured);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int t = 0; t < targets.size(); t++) {
            Map<String, Object> row = row(targets.get(t), clients, measured[t]);
            Map<String, int[]> ar = arAnswers.get(targets.get(t).engine());
            if (ar != null) {
                // null for strategies whose answers differ from AR's by design
                row.put("answers_differing_from_ar", targets.get(t).strategy().lossless() ? differingFrom(ar, measured[t]) : null);
            }
            rows.add(row);
            for (Answer answer : measured[t].answers()) {
                GenerationResult result = answer.result();
                answered.add(new Answered(targets.get(t), clients, answer.question(), result.promptTokens(),
                        result.completionTokens(), result.steps(), result.queryTokens(), answer.nanos()));
            }
        }
        return rows;
    }

    /** Each engine's AR answers this level, by question; engines AR did not run on are absent. */
    private static Map<BenchEngine, Map<String, int[]>> arAnswers(List<BenchTarget> targets, Measurement[] measured) {
        Map<BenchEngine, Map<String, int[]>> byEngine = new HashMap<>();
        for (int t = 0; t < targets.size(); t++) {
            if (AutoregressiveStrategy.NAME.equals(targets.get(t).strategy().name())) {
                Map<String, int[]> answers = byEngine.computeIfAbsent(targets.get(t).engine(), e -> new HashMap<>());
                for (Answer answer : measured[t].answers()) {
                    answers.putIfAbsent(answer.question(), answer.result().first().tokenIds());
                }
            }
        }
        return byEngine;
    }

    /**
     * How many of a lossless strategy's answers are not AR's to the same question, token for token.
     * Zero is what it owes; a count above zero flags a kernel that computes some step shape wrong, or
     * a near tie that a batch's other arithmetic broke the other way.
     */
    private static long differingFrom(Map<String, int[]> arAnswers, Measurement measured) {
        return measured.answers().stream()
                .filter(a -> !Arrays.equals(a.result().first().tokenIds(), arAnswers.get(a.question())))
                .count();
    }

    /**
     * {@code clients} closed-loop clients, {@code perClient} requests each, from question {@code first} on;
     * each client asks its own run of questions, so no two ask the same one while the set lasts.
     */
    private Measurement measure(BenchTarget target, String system, List<String> questions, int clients, int perClient,
                                int first) throws InterruptedException {
        // a target must not find the prompts another target (or an earlier level) left in the cache
        if (lastOnEngine.put(target.engine(), target) != target) {
            pools(target).forEach(pool -> pool.workers().forEach(DeviceWorker::dropIdlePrefixes));
        }
        List<WorkerPool> pools = pools(target);
        long stepsBefore = steps(target.engine().pool());
        StepProfile.Totals profileBefore = profile(target.engine().pool());
        pools.forEach(pool -> pool.workers().forEach(DeviceWorker::resetPeakBlocks));
        long jitBefore = JIT.getTotalCompilationTime();
        long start = System.nanoTime();
        List<CompletableFuture<List<Answer>>> futures = new ArrayList<>();
        ExecutorService clientThreads = Executors.newVirtualThreadPerTaskExecutor();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(CompletableFuture.supplyAsync(() -> {
                pause(client * staggerMillis);
                List<Answer> answers = new ArrayList<>();
                for (int r = 0; r < perClient; r++) {
                    answers.add(request(target, system, questions.get((first + client * perClient + r) % questions.size())));
                }
                return answers;
            }, clientThreads));
        }
        List<Answer> answers = new ArrayList<>();
        for (CompletableFuture<List<Answer>> f : futures) {
            try {
                answers.addAll(f.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("bench request failed: " + e.getCause().getMessage(), e.getCause());
            }
        }
        clientThreads.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        long steps = steps(target.engine().pool()) - stepsBefore;
        int peakKv = pools.stream().flatMap(p -> p.workers().stream()).mapToInt(w -> w.stats().peakUsedBlocks()).sum();
        StepProfile.Totals profile = profile(target.engine().pool()).since(profileBefore);
        return new Measurement(answers, seconds, steps, peakKv, profile, List.of(completionTokens(answers) / seconds),
                JIT.getTotalCompilationTime() - jitBefore);
    }

    private Map<String, Object> row(BenchTarget target, int clients, Measurement measured) {
        List<Answer> answers = measured.answers();
        double seconds = measured.seconds();
        long steps = measured.steps();
        long tokens = completionTokens(answers);
        List<Double> ttft = new ArrayList<>();
        List<Double> itl = new ArrayList<>();
        List<Double> answerMs = new ArrayList<>();
        double requestSteps = 0;
        double decodeQueryTokens = 0;
        double draftTokens = 0;
        double acceptedDraftTokens = 0;
        double promptTokens = 0;
        double cachedTokens = 0;
        double requestPeakKv = 0;
        double sequentialKv = 0;
        for (Answer answer : answers) {
            ttft.add(answer.result().firstTokenNanos() / 1e6);
            for (int i = 1; i < answer.tokenTimes().length; i++) {
                itl.add((answer.tokenTimes()[i] - answer.tokenTimes()[i - 1]) / 1e6);
            }
            answerMs.add(answer.nanos() / 1e6);
            requestSteps += answer.result().steps();
            // the prompt's last token is read like a decoding one; the rest was prefilled, or found cached
            decodeQueryTokens += answer.result().queryTokens()
                    - Math.max(0, answer.result().promptTokens() - answer.result().cachedTokens() - 1);
            if (answer.result().speculation() != null) {
                draftTokens += answer.result().speculation().draftTokens();
                acceptedDraftTokens += answer.result().speculation().acceptedTokens();
            }
            promptTokens += answer.result().promptTokens();
            cachedTokens += answer.result().cachedTokens();
            requestPeakKv += answer.result().peakKvBlocks();
            sequentialKv += sequentialBlocks(answer.result());
        }
        int n = answers.size();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("strategy", target.label());
        row.put("concurrency", clients);
        row.put("prefix_caching", target.engine().settings().prefixCaching() ? "on" : "off");
        int setting = target.engine().settings().maxStepTokens();
        row.put("max_step_tokens_setting", setting == WorkerSettings.MAX_STEP_TOKENS_FROM_CALIBRATION ? "auto" : setting);
        DeviceWorker worker = target.engine().pool().workers().get(0);
        row.put("max_step_tokens", worker.stats().stepTokens());
        row.put("requests", n);
        row.put("completion_tokens", tokens);
        row.put("seconds", BenchReport.round(seconds));
        row.put("tokens_per_second", BenchReport.round(tokens / seconds));
        row.put(ROUND_TOKENS_PER_SECOND, measured.roundTokensPerSecond().stream().map(BenchReport::round).toList());
        row.put("steps", steps);
        row.put("ms_per_step", BenchReport.round(seconds * 1000 / Math.max(1, steps)));
        // the JIT compiles on the cores the steps run on: a row that ran while it was busy reads slow
        row.put("jit_ms", measured.jitMillis());
        ModelledStepCost modelled = target.engine().modelled();
        if (modelled != null) {
            long queryTokens = answers.stream().mapToLong(a -> a.result().queryTokens()).sum();
            row.put(MODELLED_TOKENS_PER_SECOND, BenchReport.round(tokens * 1000 / modelled.millis(steps, queryTokens)));
        }
        StepProfile.Totals profile = measured.profile();
        row.putAll(StepBounds.row(target.engine().model().transformer(), host, profile,
                profile.total() / Math.max(1, profile.steps())));
        row.put("steps_per_request", BenchReport.round(requestSteps / n));
        row.put("tokens_per_request_step", BenchReport.round(tokens / Math.max(1, requestSteps)));
        // what a request fed beyond its prompt per step: 1 for plain steps, more where it guessed
        row.put("decode_query_tokens_per_request_step", BenchReport.round(decodeQueryTokens / Math.max(1, requestSteps)));
        row.put("draft_tokens_per_request", BenchReport.round(draftTokens / n));
        row.put("accepted_draft_tokens_per_request", BenchReport.round(acceptedDraftTokens / n));
        row.put("prompt_tokens_per_request", BenchReport.round(promptTokens / n));
        row.put("cached_tokens_per_request", BenchReport.round(cachedTokens / n));
        row.put("ttft_ms_p50", BenchReport.round(BenchReport.percentile(ttft, 50)));
        row.put("itl_ms_p50", BenchReport.round(BenchReport.percentile(itl, 50)));
        row.put("itl_ms_p99", BenchReport.round(BenchReport.percentile(itl, 99)));
        row.put("answer_ms_p50", BenchReport.round(BenchReport.percentile(answerMs, 50)));
        row.put("answer_ms_mean", BenchReport.round(answerMs.stream().mapToDouble(Double::doubleValue).average().orElse(0)));
        row.put("request_peak_kv_blocks", BenchReport.round(requestPeakKv / n));
        row.put("sequential_kv_blocks", BenchReport.round(sequentialKv / n));
        row.put("peak_kv_vs_sequential", BenchReport.round(requestPeakKv / sequentialKv));
        row.put("peak_kv_blocks", measured.peakKvBlocks());
        row.put("answers_repeating_an_item", answers.stream()
                .filter(a -> ListItems.repeatsAnItem(a.result().first().text(target.engine().model().tokenizer())))
                .count());
        // what guesses were priced at by the row's end: a calibration that misread small steps shows here
        row.put("step_cost_ms", worker.stepCost().curve());
        if (profiling) {
            Map<String, Object> phases = new LinkedHashMap<>();
            measured.profile().perStep().forEach((phase, ms) -> phases.put(phase, BenchReport.round(ms, 3)));
            row.put(STEP_PROFILE, phases);
        }
        if (scorer != null) {
            double quality = meanLogLikelihood(target, answers);
            row.put("mean_log_likelihood", Double.isNaN(quality) ? null : BenchReport.round(quality, 4));
        }
        return row;
    }

    private static long completionTokens(List<Answer> answers) {
        return answers.stream().mapToLong(a -> a.result().completionTokens()).sum();
    }

    /**
     * The blocks one sequence holding the prompt and this very answer ends with: what AR decoding
     * needs for the same answer, so a structural strategy's peak is compared on equal text. The
     * answer's last token (its end token, or the last one the cap allowed) is never fed.
     */
    private int sequentialBlocks(GenerationResult result) {
        int tokens = result.promptTokens() + Math.max(0, result.completionTokens() - 1);
        return (tokens + blockSize - 1) / blockSize;
    }

    /** Each answer's mean per-token log-likelihood under the scorer, averaged over the answers. */
    private double meanLogLikelihood(BenchTarget target, List<Answer> answers) {
        return answers.stream()
                .mapToDouble(a -> scorer.meanLogLikelihood(a.question(),
                        a.result().first().text(target.engine().model().tokenizer())))
                .filter(v -> !Double.isNaN(v))
                .average().orElse(Double.NaN);
    }

    /**
     * Greedy decoding with a seed of the question's own: what strategies draw at random (Jacobi's
     * filler) is the same for a question in every run, so runs differ only by what the host times.
     */
    private static SamplingParams greedySeeded(String question) {
        return new SamplingParams(0, 0, 1, (long) question.hashCode());
    }

    /** One request; blocks its (virtual) client thread until the answer is complete. */
    private Answer request(BenchTarget target, String system, String question) {
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
        BenchEngine engine = target.engine();
        GenerationRequest request = new GenerationRequest(engine.encodeQuestion(system, question,
                engine.model().config().maxPositionEmbeddings() - maxNewTokens - 1), greedySeeded(question),
                engine.stop(maxNewTokens, untilEnd), 1, params);
        long start = System.nanoTime();
        engine.pool().submit(target.strategy().newTask(request, engine.model().tokenizer(), listener));
        GenerationResult result = done.join();
        return new Answer(question, result, Arrays.copyOf(times, count[0]), System.nanoTime() - start);
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench client interrupted", e);
        }
    }

    private static List<WorkerPool> pools(BenchTarget target) {
        return Stream.of(target.engine(), target.draft()).filter(e -> e != null).map(BenchEngine::pool).toList();
    }

    private static StepProfile.Totals profile(WorkerPool pool) {
        return pool.workers().stream().map(DeviceWorker::stepProfile)
                .reduce(StepProfile.Totals.NONE, StepProfile.Totals::plus);
    }

    private static long steps(WorkerPool pool) {
        return pool.workers().stream().mapToLong(w -> w.stats().steps()).sum();
    }
}
