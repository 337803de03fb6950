package dev.braid.cli;

import dev.braid.decoding.StepCost;
import dev.braid.decoding.StepPrice;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.strategy.Forecast;
import dev.braid.strategy.PromptShape;
import dev.braid.strategy.StrategyStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code bench --auto}: what {@code auto}'s prediction makes of the prompts just measured, against the
 * best strategy for each prompt (the oracle). Each question is decided as the selector decides it:
 * every candidate's tokens and query tokens per step in the question's prompt category, priced by the
 * main worker's step cost at the level's other clients, the fastest prediction wins ({@link Forecast}).
 * The history is every other question's answers at the same level, never the decided question's own,
 * so nothing is predicted from the answer it is scored on. A pick is credited with the measured
 * answers of the strategy it picked (greedy answers do not depend on who picked them). Throughput is
 * per request here: completion tokens over the seconds their answers took.
 */
final class BenchAuto {

    /** One answer of a prompt set's level. */
    record Run(String prompts, BenchLoad.Answered answered) {
    }

    /** What one strategy's answers to one question at one level made, summed. */
    private static final class Sum {
        long requests;
        long tokens;
        long steps;
        long queryTokens;
        long nanos;

        void add(BenchLoad.Answered a) {
            requests++;
            tokens += a.tokens();
            steps += a.steps();
            queryTokens += a.queryTokens();
            nanos += a.nanos();
        }

        double tokensPerSecond() {
            return nanos == 0 ? 0 : tokens * 1e9 / nanos;
        }
    }

    private record Question(String prompts, int clients, String text, String category) {
    }

    private BenchAuto() {
    }

    /** A row per prompt set and level: auto's and the oracle's tokens per second, and what each picked. */
    static List<Map<String, Object>> rows(List<Run> runs, List<String> candidates, StepCost cost) {
        // question -> strategy -> its answers
        Map<Question, Map<String, Sum>> byQuestion = new LinkedHashMap<>();
        for (Run run : runs) {
            BenchLoad.Answered a = run.answered();
            if (!candidates.contains(a.target().label())) {
                continue;
            }
            String category = PromptShape.of(a.question(), a.promptTokens(), 0, 1, false).category();
            byQuestion.computeIfAbsent(new Question(run.prompts(), a.clients(), a.question(), category),
                    q -> new LinkedHashMap<>()).computeIfAbsent(a.target().label(), s -> new Sum()).add(a);
        }
        Map<List<Object>, List<Question>> levels = byQuestion.keySet().stream().collect(
                Collectors.groupingBy(q -> List.of(q.prompts(), q.clients()), LinkedHashMap::new, Collectors.toList()));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<List<Object>, List<Question>> level : levels.entrySet()) {
            Map<String, Sum> auto = new LinkedHashMap<>();
            Map<String, Sum> oracle = new LinkedHashMap<>();
            Map<String, Sum> fixed = new LinkedHashMap<>();
            Sum autoTotal = new Sum();
            Sum oracleTotal = new Sum();
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
                addTo(auto.computeIfAbsent(picked, s -> new Sum()), answers.get(picked));
                addTo(autoTotal, answers.get(picked));
                addTo(oracle.computeIfAbsent(best, s -> new Sum()), answers.get(best));
                addTo(oracleTotal, answers.get(best));
                for (String name : candidates) {
                    addTo(fixed.computeIfAbsent(name, s -> new Sum()), answers.get(name));
                }
            }
            if (autoTotal.requests == 0) {
                continue;
            }
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
            for (String name : candidates) {
                Sum all = fixed.get(name);
                predicted.put(name, BenchReport.round(forecast(name, all, cost, (int) level.getKey().get(1) - 1)
                        .tokensPerSecond()));
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
                    addTo(history, answers.get(name));
                }
            });
            if (history.steps > 0 || name.equals(AutoregressiveStrategy.NAME)) {
                forecasts.add(forecast(name, history, cost, others));
            }
        }
        Optional<Forecast> best = Forecast.best(forecasts);
        return best.map(Forecast::strategy).orElse(candidates.get(0));
    }

    /** The selector's forecast from these answers; {@code ar}'s without answers is one token a step. */
    private static Forecast forecast(String name, Sum history, StepCost cost, int others) {
        // the other clients counted as plain steps of one token, as the selector counts a batch it has not seen
        StepPrice batch = new StepPrice(cost, others, others);
        if (history.steps == 0) {
            return Forecast.autoregressive(name, batch);
        }
        return Forecast.of(name, new StrategyStatistics.Throughput(history.requests, history.tokensPerSecond(),
                (double) history.tokens / history.steps, (double) history.queryTokens / history.steps), batch);
    }

    private static void addTo(Sum into, Sum from) {
        into.requests += from.requests;
        into.tokens += from.tokens;
        into.steps += from.steps;
        into.queryTokens += from.queryTokens;
        into.nanos += from.nanos;
    }

    /** "jacobi 14, ar 6": answers per strategy, most first. */
    private static String picks(Map<String, Sum> picked) {
        return picked.entrySet().stream()
                .sorted((x, y) -> Long.compare(y.getValue().requests, x.getValue().requests))
                .map(e -> e.getKey() + " " + e.getValue().requests)
                .collect(Collectors.joining(", "));
    }
}
