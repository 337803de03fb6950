package dev.braid.cli;

import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepPrice;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.strategy.Forecast;
import dev.braid.strategy.PromptShape;
import dev.braid.strategy.StrategyStatistics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code bench --auto}: what {@code auto}'s prediction makes of the prompts just measured, against the
 * best strategy for each prompt (the oracle). Each question is decided as the selector decides it:
 * every candidate's tokens and query tokens per step in the question's prompt category, priced by the
 * main worker's step cost as the level left it, at the level's other clients; the fastest prediction
 * wins ({@link Forecast}).
 * The history is every other question's answers at the same level, never the decided question's own,
 * so nothing is predicted from the answer it is scored on. A pick is credited with the measured
 * answers of the strategy it picked (greedy answers do not depend on who picked them). Throughput is
 * per request here: completion tokens over the seconds their answers took.
 */
final class BenchAuto {

    /** One answer of a prompt set's level, and the main worker's step cost as that level left it. */
    record Run(String prompts, BenchLoad.Answered answered, StepCost cost) {
    }

    /** What answers made, summed: one strategy's to one question at one level, or more of them. */
    private static final class Sum {
        long requests;
        long tokens;
        long steps;
        long queryTokens;
        long nanos;

        static Sum of(BenchLoad.Answered a) {
            Sum one = new Sum();
            one.requests = 1;
            one.tokens = a.tokens();
            one.steps = a.steps();
            one.queryTokens = a.queryTokens();
            one.nanos = a.nanos();
            return one;
        }

        void add(Sum other) {
            requests += other.requests;
            tokens += other.tokens;
            steps += other.steps;
            queryTokens += other.queryTokens;
            nanos += other.nanos;
        }

        static Sum total(Collection<Sum> sums) {
            Sum total = new Sum();
            sums.forEach(total::add);
            return total;
        }

        double tokensPerSecond() {
            return nanos == 0 ? 0 : tokens * 1e9 / nanos;
        }

        StrategyStatistics.Throughput throughput() {
            return StrategyStatistics.Throughput.of(requests, tokens, nanos / 1e6, steps, queryTokens);
        }
    }

    private record Question(String prompts, int clients, String text, String category, int promptTokens) {
    }

    private BenchAuto() {
    }

    /** A row per prompt set and level: auto's and the oracle's tokens per second, and what each picked. */
    static List<Map<String, Object>> rows(List<Run> runs, List<String> candidates) {
        // question -> strategy -> its answers
        Map<Question, Map<String, Sum>> byQuestion = new LinkedHashMap<>();
        // each level is priced as the worker priced steps then: its offset follows the batch it ran
        Map<List<Object>, StepCost> costs = new LinkedHashMap<>();
        for (Run run : runs) {
            BenchLoad.Answered a = run.answered();
            if (!candidates.contains(a.target().label())) {
                continue;
            }
            costs.putIfAbsent(List.of(run.prompts(), a.clients()), run.cost());
            String category = PromptShape.of(a.question(), a.promptTokens(), 0, 1, false).category();
            byQuestion.computeIfAbsent(new Question(run.prompts(), a.clients(), a.question(), category, a.promptTokens()),
                    q -> new LinkedHashMap<>()).computeIfAbsent(a.target().label(), s -> new Sum()).add(Sum.of(a));
        }
        Map<List<Object>, List<Question>> levels = byQuestion.keySet().stream().collect(
                Collectors.groupingBy(q -> List.of(q.prompts(), q.clients()), LinkedHashMap::new, Collectors.toList()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<List<Object>, List<Question>> level : levels.entrySet()) {
            StepCost cost = costs.get(level.getKey());
            Map<String, Sum> auto = new LinkedHashMap<>();
            Map<String, Sum> oracle = new LinkedHashMap<>();
            Map<String, Sum> fixed = new LinkedHashMap<>();
            int questions = 0;
            for (Question question : level.getValue()) {
                Map<String, Sum> answers = byQuestion.get(question);
                if (!answers.keySet().containsAll(candidates)) {
                    continue;
                }
                questions++;
                String picked = pick(question, byQuestion, candidates, cost);
                String best = candidates.stream()
                        .max((x, y) -> Double.compare(answers.get(x).tokensPerSecond(), answers.get(y).tokensPerSecond()))
                        .orElseThrow();
                auto.computeIfAbsent(picked, s -> new Sum()).add(answers.get(picked));
                oracle.computeIfAbsent(best, s -> new Sum()).add(answers.get(best));
                for (String name : candidates) {
                    fixed.computeIfAbsent(name, s -> new Sum()).add(answers.get(name));
                }
            }
            if (questions == 0) {
                continue;
            }
            Sum autoTotal = Sum.total(auto.values());
            Sum oracleTotal = Sum.total(oracle.values());
            String bestFixed = fixed.entrySet().stream()
                    .max((x, y) -> Double.compare(x.getValue().tokensPerSecond(), y.getValue().tokensPerSecond()))
                    .orElseThrow().getKey();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("prompts", level.getKey().get(0));
            row.put("concurrency", level.getKey().get(1));
            row.put("questions", questions);
            row.put("auto_tokens_per_second", BenchReport.round(autoTotal.tokensPerSecond()));
            row.put("oracle_tokens_per_second", BenchReport.round(oracleTotal.tokensPerSecond()));
            row.put("auto_vs_oracle", BenchReport.round(autoTotal.tokensPerSecond() / oracleTotal.tokensPerSecond()));
            row.put("best_fixed", bestFixed);
            row.put("auto_vs_best_fixed", BenchReport.round(autoTotal.tokensPerSecond()
                    / fixed.get(bestFixed).tokensPerSecond()));
            if (fixed.containsKey(AutoregressiveStrategy.NAME)) {
                row.put("auto_vs_ar", BenchReport.round(autoTotal.tokensPerSecond()
                        / fixed.get(AutoregressiveStrategy.NAME).tokensPerSecond()));
            }
            row.put("auto_picks", picks(auto));
            row.put("oracle_picks", picks(oracle));
            // how far the prediction is from what each strategy made here, from all of the level's answers
            Map<String, Object> predicted = new LinkedHashMap<>();
            Map<String, Object> measured = new LinkedHashMap<>();
            int promptTokens = (int) Math.round(level.getValue().stream().mapToInt(Question::promptTokens).average()
                    .orElse(0));
            for (String name : candidates) {
                Sum all = fixed.get(name);
                predicted.put(name, BenchReport.round(forecast(name, all, cost, (int) level.getKey().get(1) - 1,
                        promptTokens).tokensPerSecond()));
                measured.put(name, BenchReport.round(all.tokensPerSecond()));
            }
            row.put("predicted_tokens_per_second", predicted);
            row.put("measured_tokens_per_second", measured);
            rows.add(row);
        }
        return rows;
    }

    /** What the selector's prediction picks for {@code question} from the other questions' answers at its level. */
    private static String pick(Question question, Map<Question, Map<String, Sum>> byQuestion, List<String> candidates,
                               StepCost cost) {
        int others = question.clients() - 1;
        List<Forecast> forecasts = new ArrayList<>();
        for (String name : candidates) {
            Sum history = new Sum();
            byQuestion.forEach((other, answers) -> {
                if (other.clients() == question.clients() && other.category().equals(question.category())
                        && !other.text().equals(question.text()) && answers.containsKey(name)) {
                    history.add(answers.get(name));
                }
            });
            if (history.steps > 0 || name.equals(AutoregressiveStrategy.NAME)) {
                forecasts.add(forecast(name, history, cost, others, question.promptTokens()));
            }
        }
        Optional<Forecast> best = Forecast.best(forecasts);
        return best.map(Forecast::strategy).orElse(candidates.get(0));
    }

    /** The selector's forecast from these answers; {@code ar}'s without answers is one token a step. */
    private static Forecast forecast(String name, Sum history, StepCost cost, int others, int promptTokens) {
        // the other clients counted as plain steps of one token, as the selector counts a batch it has not seen
        StepPrice batch = new StepPrice(cost, others, others);
        if (history.steps == 0) {
            return Forecast.autoregressive(name, batch);
        }
        return Forecast.of(name, history.throughput(), batch, promptTokens);
    }

    /** "jacobi 14, ar 6": answers per strategy, most first. */
    private static String picks(Map<String, Sum> picked) {
        return picked.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().requests, x.getValue().requests))
                .map(e -> e.getKey() + " " + e.getValue().requests)
                .collect(Collectors.joining(", "));
    }
}
