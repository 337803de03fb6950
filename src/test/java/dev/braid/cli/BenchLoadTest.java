package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.DecodingStrategy;
import dev.braid.decoding.DecodingTask;
import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.StrategyParams;
import dev.braid.model.Tokenizer;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import dev.braid.worker.WorkerSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a level's load meets its targets: in turns with one client, closed loops in turns of rounds with more. */
class BenchLoadTest {

    /** AR under another label, noting each request it is given. */
    private record Recording(String name, List<String> log) implements DecodingStrategy {

        @Override
        public DecodingTask newTask(GenerationRequest request, Tokenizer tokenizer, GenerationListener listener) {
            log.add(name);
            return new AutoregressiveStrategy().newTask(request, tokenizer, listener);
        }
    }

    @Test
    void oneClientAlternatesTheTargetsAndMoreClientsRunThemInRounds() throws Exception {
        List<String> log = Collections.synchronizedList(new ArrayList<>());
        LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve("llama-tiny"), Device.cpu());
        try (BenchEngine engine = new BenchEngine(model, new WorkerSettings(1, 4096, 4, 64))) {
            List<BenchTarget> targets = List.of(new BenchTarget("a", new Recording("a", log), engine, null),
                    new BenchTarget("b", new Recording("b", log), engine, null));
            BenchLoad load = new BenchLoad(5, false, StrategyParams.DEFAULTS, null, 1, true,
                    new StepBounds.Host(10, 100), 0);
            List<String> questions = List.of("one", "two");

            List<Map<String, Object>> rows = load.level(targets, null, questions, 1, 3, 1);
            assertThat(log).containsExactly("a", "b", "b", "a", "a", "b");
            assertThat(rows).extracting(r -> r.get("strategy")).containsExactly("a", "b");
            // one request a round: three rounds' own rates, which together make the row's
            for (Map<String, Object> row : rows) {
                @SuppressWarnings("unchecked")
                List<Double> rates = (List<Double>) row.get(BenchLoad.ROUND_TOKENS_PER_SECOND);
                assertThat(rates).hasSize(3).allSatisfy(rate -> assertThat(rate).isPositive());
                double harmonic = 3 / rates.stream().mapToDouble(rate -> 1 / rate).sum();
                assertThat(harmonic).isCloseTo((double) row.get("tokens_per_second"),
                        org.assertj.core.data.Percentage.withPercentage(2));
            }
            for (Map<String, Object> row : rows) {
                assertThat(row.get("requests")).isEqualTo(3);
                assertThat(row.get("completion_tokens")).isEqualTo(15L);
                assertThat(row.get("steps")).isEqualTo(15L);
                // one token a step, the step that prefilled the prompt (cached or not) included
                assertThat(row.get("decode_query_tokens_per_request_step")).isEqualTo(1.0);
                assertThat((double) row.get("seconds")).isPositive();
                @SuppressWarnings("unchecked")
                Map<String, Double> profile = (Map<String, Double>) row.get(BenchLoad.STEP_PROFILE);
                assertThat(profile.keySet()).containsExactly("plan", "inputs", "embed", "project", "attend", "mlp",
                        "head", "logits", "consume", "kv_write", "release", "finish", "total");
                for (String modelPhase : List.of("project", "attend", "mlp", "head", "logits")) {
                    assertThat(profile.get(modelPhase)).as(modelPhase).isPositive();
                }
                double phases = profile.entrySet().stream().filter(e -> !e.getKey().equals("total"))
                        .mapToDouble(Map.Entry::getValue).sum();
                assertThat(phases).isCloseTo(profile.get("total"), org.assertj.core.data.Offset.offset(0.01));
                assertThat((long) row.get("answers_repeating_an_item")).isBetween(0L, 3L);
                assertThat((double) row.get("memory_bound_ms")).isPositive();
                assertThat((double) row.get("step_vs_bound")).isPositive();
                // the steps' phases happen within the row's wall clock (reported to 0.01 s)
                assertThat(profile.get("total") * 15).isLessThan((double) row.get("seconds") * 1000 + 5);
            }

            log.clear();
            rows = load.level(targets, null, questions, 2, 2, 1);
            assertThat(log).containsExactly("a", "a", "a", "a", "b", "b", "b", "b");
            assertThat(rows).extracting(r -> r.get("requests")).containsExactly(4, 4);

            // in rounds, each target's closed loop runs a share of every client's requests in turn
            log.clear();
            rows = load.level(targets, null, questions, 2, 3, 2);
            assertThat(log).containsExactly("a", "a", "b", "b", "b", "b", "b", "b", "a", "a", "a", "a");
            assertThat(rows).extracting(r -> r.get("requests")).containsExactly(6, 6);
            assertThat(rows).extracting(r -> r.get("completion_tokens")).containsExactly(30L, 30L);
            assertThat(rows).allSatisfy(row -> assertThat((List<?>) row.get(BenchLoad.ROUND_TOKENS_PER_SECOND)).hasSize(2));
        }
    }
}
