package dev.braid.cli;

import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.StepCost;
import dev.braid.decoding.StrategyParams;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.decoding.sgd.SgdPrompts;
import dev.braid.decoding.sgd.SgdStrategy;
import dev.braid.model.CpuThreads;
import dev.braid.model.StepProfile;
import dev.braid.worker.DeviceWorker;
import dev.braid.worker.WorkerSettings;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench}: closed-loop load on the engine. At each concurrency level, that many clients each
 * send requests back to back. By default every request generates exactly {@code --max-new-tokens}
 * greedy tokens (end tokens are ignored so all levels do the same work); {@code --until-end} lets
 * answers end where the model ends them, which is what the structural strategies (APAR, SGD) are
 * judged on: time to the full answer, steps and peak KV per request. Writes JSON and Markdown.
 *
 * <p>{@code --strategy ar,lookahead,jacobi} compares strategies in one run: same process, same
 * prompts; at each level every strategy runs in turn, and each row reports its tokens per step and,
 * when {@code ar} is among them, its ratios to AR at that level and prompt set. A strategy may run on
 * another model ({@code apar@braid-apar}): each model gets its own worker. {@code --draft-model}
 * gives SGD a draft partner for its easy points; {@code --quality-model} scores every answer by its
 * mean log-likelihood under that model.
 */
final class BenchCommand {

    /** Query tokens up to which --auto keeps each level's step cost: beyond any step a bench level runs. */
    private static final int STEP_COST_SNAPSHOT_TOKENS = 4096;

    static final Usage USAGE = new Usage("bench", """
            Closed-loop load on the engine at each concurrency level; writes bench.json and bench.md. Every
            request generates exactly --max-new-tokens greedy tokens unless --until-end. Several strategies
            are compared in one run, each row with its ratios to ar. With --url it loads a running service
            instead (bench --url URL --help).""",
            List.of(EngineOptions.MODEL,
                    Option.valued("strategy", "S[,S...]", "strategies to compare, each " + EngineOptions.strategies("|")
                            + ", or NAME@MODEL to run one on another model, e.g. apar@braid-apar").defaults("ar"),
                    Option.valued("concurrency", "1,8,32", "the concurrency levels").defaults("1,8,32"),
                    Option.valued("max-new-tokens", "N", "tokens per request").defaults(64),
                    Option.valued("requests-per-client", "N", "requests each client sends per level").defaults(2),
                    Option.valued("rounds", "N", "with several clients, split each client's requests into N rounds"
                            + " and let the strategies take turns round by round (with one client every request"
                            + " is a round); rows compare with ar round by round too").defaults(1),
                    Option.valued(ModelledStepCost.OPTION, "MS,MS_PER_TOKEN", "price guesses as on a device whose"
                            + " step takes MS for one query token and MS_PER_TOKEN for each more, not by the"
                            + " measured steps; rows add the time their steps take there (modelled_tokens_per_second)"),
                    Option.valued("warm-up-requests", "N", "requests each strategy answers before the first level,"
                            + " taking the prompt sets' questions in turn; none is measured").defaults(8),
                    Option.valued("prompts", String.join(",", BenchPrompts.ids()), "the prompt sets")
                            .defaults(BenchPrompts.GENERAL.id()),
                    Option.flag("until-end", "let answers stop at the model's end token"),
                    Option.valued("stagger-ms", "MS", "start client i of a level i*MS after the first").defaults(0),
                    Option.flag("profile", "break each row's steps down by phase (ms per step)"),
                    Option.flag("auto", "score auto's prediction against the best strategy per prompt, from the"
                            + " other prompts' answers (needs two strategies on the model)"),
                    Option.valued("draft-model", "DIR|NAME", "sgd's draft partner for its easy points"),
                    Option.valued("quality-model", "DIR|NAME", "score each answer's mean log-likelihood under this model"),
                    Option.valued("output", "DIR", "where the reports go").defaults("target/bench")))
            .with(EngineOptions.OPTIONS).with(StrategyOptions.OPTIONS);

    private BenchCommand() {
    }

    static int run(String[] args, PrintStream out) throws InterruptedException {
        Options options = Options.parse(args, 1, USAGE);
        StrategyParams params = StrategyOptions.params(options);
        int[] levels = options.integers("concurrency", 1);
        int maxNewTokens = options.integer("max-new-tokens", 1, 1 << 16);
        int perClient = options.integer("requests-per-client", 1, 1000);
        int rounds = options.integer("rounds", 1, 1000);
        if (rounds > perClient) {
            throw new UsageException("--rounds " + rounds + " is more than --requests-per-client " + perClient
                    + ": every round needs a request from each client");
        }
        int warmUps = options.integer("warm-up-requests", 0, 1000);
        boolean untilEnd = options.has("until-end");
        List<BenchPrompts> promptSets = promptSets(options.string("prompts"));
        Path output = Path.of(options.string("output"));
        List<Boolean> prefixCaching = EngineOptions.prefixCaching(options);
        int[] stepTokens = options.integers("max-step-tokens", 0);
        WorkerSettings settings = EngineOptions.workerSettings(options, Arrays.stream(levels).max().orElse(1),
                prefixCaching.get(0), stepTokens[0]);
        Map<List<Object>, BenchEngine> engines = new LinkedHashMap<>();
        AnswerScorer scorer = null;
        try {
            String modelName = options.required("model");
            BenchEngine main = engine(engines, modelName, options, settings);
            BenchEngine draft = options.has("draft-model")
                    ? engine(engines, options.string("draft-model", null), options, settings) : null;
            List<BenchTarget> targets = new ArrayList<>();
            // every engine setting compared side by side: each combination gets its own workers
            for (boolean caching : prefixCaching) {
                for (int tokens : stepTokens) {
                    targets.addAll(targets(options.string("strategy"), modelName, main, draft, engines, options,
                            settings.withPrefixCaching(caching).withMaxStepTokens(tokens)));
                }
            }
            if (options.has("quality-model")) {
                scorer = new AnswerScorer(EngineOptions.loadModel(options.string("quality-model", null), options));
            }
            StepBounds.Host host = StepBounds.measure(main.model().transformer());
            long stagger = options.integer("stagger-ms", 0, 60_000);
            BenchLoad load = new BenchLoad(maxNewTokens, untilEnd, params, scorer, settings.blockSize(),
                    options.has("profile"), host, stagger);
            // with one warm-up request each, the JIT was still compiling in the first prompt set's rounds,
            // on the cores the steps run on: Jacobi's steps there cost twice what they did later
            for (BenchTarget target : targets) {
                load.warmUp(target, promptSets, warmUps);
            }
            List<String> autoCandidates = targets.stream()
                    .filter(t -> t.engine() == targets.get(0).engine() && !t.label().contains("@"))
                    .map(BenchTarget::label).toList();
            if (options.has("auto") && autoCandidates.size() < 2) {
                throw new UsageException("--auto needs two strategies or more on " + modelName + ", got "
                        + autoCandidates);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            List<BenchAuto.Run> answered = new ArrayList<>();
            for (BenchPrompts set : promptSets) {
                for (int level : levels) {
                    for (Map<String, Object> measured : load.level(targets, set.system(), set.prompts(), level, perClient,
                            rounds)) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("prompts", set.id());
                        row.putAll(measured);
                        rows.add(row);
                    }
                    StepCost levelCost = StepCost.snapshot(targets.get(0).engine().pool().leastLoaded().batch().cost(),
                            STEP_COST_SNAPSHOT_TOKENS);
                    load.answered().forEach(a -> answered.add(new BenchAuto.Run(set.id(), a, levelCost)));
                }
            }
            addComparisons(rows);
            DeviceWorker autoWorker = targets.get(0).engine().pool().leastLoaded();
            List<Map<String, Object>> autoRows = options.has("auto")
                    ? BenchAuto.rows(answered, autoCandidates) : List.of();
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", main.model().name());
            report.put("parameters", main.model().transformer().parameterCount());
            report.put("strategy", String.join(",", targets.stream().map(BenchTarget::label).toList()));
            report.put("strategy_params", Map.of(
                    "window", params.lookahead().window(), "ngram", params.lookahead().ngram(),
                    "candidates", params.lookahead().candidates(), "jacobi_block", params.jacobi().blockSize(),
                    "apar_branches", params.apar().maxLiveBranches()));
            if (draft != null) {
                report.put("draft_model", draft.model().name());
            }
            if (scorer != null) {
                report.put("quality_model", scorer.model());
            }
            report.put("max_new_tokens", maxNewTokens);
            report.put("until_end", untilEnd);
            report.put("stagger_ms", stagger);
            report.put("requests_per_client", perClient);
            report.put("rounds", rounds);
            report.put("warm_up_requests", warmUps);
            ModelledStepCost modelled = main.modelled();
            if (modelled != null) {
                Map<String, Object> device = new LinkedHashMap<>();
                device.put("ms", modelled.baseMillis());
                device.put("ms_per_token", modelled.perTokenMillis());
                report.put("modelled_step_cost", device);
            }
            report.put("device", main.model().transformer().device().toString());
            report.put("host", host.report());
            report.put("cpu_threads", CpuThreads.resolve(options.integer("cpu-threads", 0, 1024)));
            report.put("dtype", main.model().transformer().dtype().key());
            report.put("levels", rows);
            if (!autoRows.isEmpty()) {
                report.put("auto", autoRows);
                report.put("step_cost_ms", autoWorker.stepCost().curve());
            }
            String markdown = markdown(report, rows) + autoMarkdown(autoRows);
            BenchReport.write(output, "bench", report, markdown);
            out.print(markdown);
            return 0;
        } finally {
            if (scorer != null) {
                scorer.close();
            }
            // engines that share a loaded model come after its owner: close them first
            new ArrayList<>(engines.values()).reversed().forEach(BenchEngine::close);
        }
    }

    private static List<BenchPrompts> promptSets(String list) {
        List<BenchPrompts> sets = new ArrayList<>();
        for (String name : list.split(",")) {
            BenchPrompts set = BenchPrompts.named(name);
            if (sets.contains(set)) {
                throw new UsageException("--prompts names " + set.id() + " twice");
            }
            sets.add(set);
        }
        return sets;
    }

    /**
     * The engine of {@code name} with {@code settings}, loaded on first use; the same model with other
     * settings gets a worker pool of its own on the one loaded model. Engines are keyed by model
     * name and settings.
     */
    private static BenchEngine engine(Map<List<Object>, BenchEngine> engines, String name, Options options,
                                      WorkerSettings settings) {
        BenchEngine engine = engines.get(List.of(name, settings));
        if (engine != null) {
            return engine;
        }
        BenchEngine sibling = engines.entrySet().stream().filter(e -> e.getKey().get(0).equals(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
        ModelledStepCost modelled = modelled(options);
        engine = sibling == null ? new BenchEngine(EngineOptions.loadModel(name, options), settings, true, modelled)
                : new BenchEngine(sibling.model(), settings, false, modelled);
        engines.put(List.of(name, settings), engine);
        return engine;
    }

    /** The device of {@code --modelled-step-cost}, or null where the workers price guesses by their own steps. */
    private static ModelledStepCost modelled(Options options) {
        return options.has(ModelledStepCost.OPTION) ? ModelledStepCost.parse(options.string(ModelledStepCost.OPTION, null))
                : null;
    }

    /** The targets of {@code --strategy}, in order, each once: {@code NAME} or {@code NAME@MODEL}. */
    private static List<BenchTarget> targets(String list, String mainName, BenchEngine main, BenchEngine draft,
                                             Map<List<Object>, BenchEngine> engines, Options options,
                                             WorkerSettings settings) {
        List<BenchTarget> targets = new ArrayList<>();
        for (String spec : list.split(",")) {
            String label = spec.trim();
            int at = label.indexOf('@');
            String name = at < 0 ? label : label.substring(0, at);
            String modelName = at < 0 ? mainName : label.substring(at + 1);
            if (modelName.isEmpty()) {
                throw new UsageException("--strategy '" + label + "' names no model after '@'");
            }
            BenchEngine engine = engine(engines, modelName.equals(mainName) ? mainName : modelName, options, settings);
            DecodingStrategy strategy = EngineOptions.strategy(name);
            BenchEngine draftFor = null;
            if (strategy instanceof SgdStrategy && draft != null && draft != engine) {
                strategy = new SgdStrategy(SgdPrompts.DEFAULT, draft.draftRoute());
                draftFor = draft;
            }
            BenchTarget target = new BenchTarget(at < 0 ? name : name + "@" + engine.model().name(), strategy,
                    engine, draftFor);
            if (targets.stream().anyMatch(t -> t.label().equals(target.label()) && t.engine() == target.engine())) {
                throw new UsageException("--strategy names " + label + " twice");
            }
            targets.add(target);
        }
        return targets;
    }

    /**
     * Each row against AR on the same prompt set and level, when AR (on the main model) was measured:
     * tokens/s ({@code speedup_vs_ar}), the mean time to the full answer and the mean steps per request
     * (AR's over this row's, so above 1 is better for all three), and the same tokens/s round by round
     * ({@link RoundComparison}).
     */
    private static void addComparisons(List<Map<String, Object>> rows) {
        Map<List<Object>, Map<String, Object>> arRows = new HashMap<>();
        Map<List<Object>, Map<String, Object>> uncached = new HashMap<>();
        for (Map<String, Object> row : rows) {
            if (AutoregressiveStrategy.NAME.equals(row.get("strategy"))) {
                arRows.put(List.of(row.get("prompts"), row.get("concurrency"), row.get("prefix_caching"),
                        row.get("max_step_tokens_setting")), row);
            }
            if ("off".equals(row.get("prefix_caching"))) {
                uncached.put(List.of(row.get("prompts"), row.get("concurrency"), row.get("strategy"),
                        row.get("max_step_tokens_setting")), row);
            }
        }
        for (Map<String, Object> row : rows) {
            Map<String, Object> ar = arRows.get(List.of(row.get("prompts"), row.get("concurrency"),
                    row.get("prefix_caching"), row.get("max_step_tokens_setting")));
            if (ar != null) {
                row.put("speedup_vs_ar", ratio(row, ar, "tokens_per_second"));
                row.put("answer_speedup_vs_ar", ratio(ar, row, "answer_ms_mean"));
                row.put("fewer_steps_vs_ar", ratio(ar, row, "steps_per_request"));
                if (row.containsKey(BenchLoad.MODELLED_TOKENS_PER_SECOND)) {
                    row.put("modelled_speedup_vs_ar", ratio(row, ar, BenchLoad.MODELLED_TOKENS_PER_SECOND));
                }
                RoundComparison.of(roundRates(row), roundRates(ar)).putInto(row);
            }
            Map<String, Object> off = uncached.get(List.of(row.get("prompts"), row.get("concurrency"),
                    row.get("strategy"), row.get("max_step_tokens_setting")));
            if (off != null && "on".equals(row.get("prefix_caching"))) {
                // above 1 is better for all three: fewer prompt tokens computed, sooner first token, more tokens/s
                row.put("fewer_prompt_tokens_computed_vs_no_cache", BenchReport.round(computedPromptTokens(off)
                        / Math.max(1e-9, computedPromptTokens(row))));
                row.put("ttft_p50_speedup_vs_no_cache", ratio(off, row, "ttft_ms_p50"));
                row.put("speedup_vs_no_cache", ratio(row, off, "tokens_per_second"));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Double> roundRates(Map<String, Object> row) {
        return (List<Double>) row.get(BenchLoad.ROUND_TOKENS_PER_SECOND);
    }

    /** Prompt tokens a request computed: its prompt less what it found in the prefix cache. */
    private static double computedPromptTokens(Map<String, Object> row) {
        return ((Number) row.get("prompt_tokens_per_request")).doubleValue()
                - ((Number) row.get("cached_tokens_per_request")).doubleValue();
    }

    /** Each row's step time by phase, with what each phase covers. */
    private static String profileTable(List<Map<String, Object>> rows) {
        List<Map<String, Object>> table = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("prompts", row.get("prompts"));
            line.put("strategy", row.get("strategy"));
            line.put("concurrency", row.get("concurrency"));
            @SuppressWarnings("unchecked")
            Map<String, Object> phases = (Map<String, Object>) row.get(BenchLoad.STEP_PROFILE);
            line.putAll(phases);
            table.add(line);
        }
        StringBuilder md = new StringBuilder("Step profile, ms per step by phase (");
        md.append(java.util.Arrays.stream(StepProfile.Phase.values())
                .map(phase -> phase.key() + ": " + phase.description())
                .collect(java.util.stream.Collectors.joining("; "))).append("):\n\n");
        md.append(BenchReport.table(List.copyOf(table.get(0).keySet()), table));
        return md.toString();
    }

    private static double ratio(Map<String, Object> over, Map<String, Object> under, String column) {
        return BenchReport.round(((Number) over.get(column)).doubleValue() / ((Number) under.get(column)).doubleValue());
    }

    private static String autoMarkdown(List<Map<String, Object>> autoRows) {
        if (autoRows.isEmpty()) {
            return "";
        }
        return "\nauto against the best strategy per prompt (each prompt decided from the other prompts' answers at"
                + " its level; tokens/s per request: completion tokens over their answers' seconds):\n\n"
                + BenchReport.table(List.copyOf(autoRows.get(0).keySet()), autoRows);
    }

    private static String markdown(Map<String, Object> report, List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("## bench: ").append(report.get("model")).append(" (").append(report.get("parameters"))
                .append(" parameters), strategy ").append(report.get("strategy")).append(", ")
                .append(Boolean.TRUE.equals(report.get("until_end")) ? "answers up to " : "")
                .append(report.get("max_new_tokens")).append(" new tokens per request, device ")
                .append(report.get("device")).append(" (").append(report.get("cpu_threads")).append(" CPU threads, ")
                .append(report.get("dtype")).append(" weights)");
        if (report.containsKey("draft_model")) {
            md.append(", SGD draft ").append(report.get("draft_model"));
        }
        if (report.containsKey("quality_model")) {
            md.append(", answers scored by ").append(report.get("quality_model"));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> host = (Map<String, Object>) report.get("host");
        md.append("; host memory bandwidth ").append(host.get("memory_gb_per_second")).append(" GB/s, matmul ")
                .append(host.get("matmul_gflop_per_second")).append(" GFLOP/s (the bounds: memory_bound_ms, "
                        + "compute_bound_ms; step_vs_bound is a step's busy time over the larger)");
        md.append("\n\n");
        List<String> columns = rows.get(0).keySet().stream()
                .filter(column -> !column.equals(BenchLoad.STEP_PROFILE)
                        && !column.equals(BenchLoad.ROUND_TOKENS_PER_SECOND)).toList();
        md.append(BenchReport.table(columns, rows));
        if (rows.get(0).containsKey(BenchLoad.STEP_PROFILE)) {
            md.append("\n").append(profileTable(rows));
        }
        Map<List<Object>, List<Map<String, Object>>> series = new LinkedHashMap<>();
        for (Map<String, Object> row : rows) {
            series.computeIfAbsent(List.of(row.get("prompts"), row.get("strategy"), row.get("prefix_caching"),
                    row.get("max_step_tokens_setting")), k -> new ArrayList<>()).add(row);
        }
        boolean manySets = rows.stream().map(row -> row.get("prompts")).distinct().count() > 1;
        boolean bothCaches = rows.stream().map(row -> row.get("prefix_caching")).distinct().count() > 1;
        boolean manyBudgets = rows.stream().map(row -> row.get("max_step_tokens_setting")).distinct().count() > 1;
        for (Map.Entry<List<Object>, List<Map<String, Object>>> entry : series.entrySet()) {
            List<Map<String, Object>> levels = entry.getValue();
            if (levels.size() > 1) {
                double base = ((Number) levels.get(0).get("tokens_per_second")).doubleValue();
                double last = ((Number) levels.get(levels.size() - 1).get("tokens_per_second")).doubleValue();
                String name = entry.getKey().get(1) + (manySets ? " (" + entry.getKey().get(0) + " prompts)" : "")
                        + (bothCaches ? ", prefix cache " + entry.getKey().get(2) : "")
                        + (manyBudgets ? ", max " + entry.getKey().get(3) + " tokens a step" : "");
                md.append(series.size() > 1 ? "\n" + name + ": t" : "\nT")
                        .append("hroughput at concurrency ").append(levels.get(levels.size() - 1).get("concurrency"))
                        .append(" is ").append(BenchReport.round(last / base)).append("x that at concurrency ")
                        .append(levels.get(0).get("concurrency")).append(".\n");
            }
        }
        return md.toString();
    }
}
