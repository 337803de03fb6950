package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code bench} as the structural strategies are judged: natural answers, other models, a quality score. */
class StructuralBenchTest {

    private static final String QUESTION = "What is caching, why does it matter, and how do I start?";

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void benchRunsAnswersToTheirEndOnSeveralModelsAndScoresThem(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("bench");
        Run bench = run("bench", "--model", "braid-base", "--strategy", "ar,sgd,ar@braid-draft",
                "--draft-model", "braid-draft", "--prompts", "multipart", "--until-end", "--quality-model", "braid-base",
                "--concurrency", "1", "--max-new-tokens", "200", "--requests-per-client", "1", "--warm-up-requests", "1",
                "--output", out.toString());
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode report = JsonMapper.shared().readTree(Files.readString(out.resolve("bench.json")));
        assertThat(report.get("until_end").asBoolean()).isTrue();
        assertThat(report.get("draft_model").asString()).isEqualTo("braid-draft");
        assertThat(report.get("quality_model").asString()).isEqualTo("braid-base");
        JsonNode rows = report.get("levels");
        assertThat(rows).hasSize(3);
        String[] labels = {"ar", "sgd", "ar@braid-draft"};
        for (int i = 0; i < 3; i++) {
            JsonNode row = rows.get(i);
            assertThat(row.get("prompts").asString()).isEqualTo("multipart");
            assertThat(row.get("strategy").asString()).isEqualTo(labels[i]);
            assertThat(row.get("completion_tokens").asInt()).as("the answer ends before the cap").isBetween(1, 199);
            assertThat(row.get("mean_log_likelihood").asDouble()).isNotPositive().isGreaterThan(-20);
            assertThat(row.get("answer_ms_mean").asDouble()).isPositive();
            assertThat(row.get("request_peak_kv_blocks").asDouble()).isPositive();
            // the worker's curve as the row ended: calibrated points from one token up, never falling
            JsonNode curve = row.get("step_cost_ms");
            assertThat(curve.size()).as("calibrated points").isGreaterThan(4);
            assertThat(curve.get(0).get("tokens").asInt()).isEqualTo(1);
            for (int p = 1; p < curve.size(); p++) {
                assertThat(curve.get(p).get("tokens").asInt()).isGreaterThan(curve.get(p - 1).get("tokens").asInt());
                assertThat(curve.get(p).get("millis").asDouble())
                        .isGreaterThanOrEqualTo(curve.get(p - 1).get("millis").asDouble()).isPositive();
            }
        }
        JsonNode ar = rows.get(0);
        assertThat(ar.get("answers_differing_from_ar").asLong()).isZero();
        assertThat(rows.get(1).get("answers_differing_from_ar").isNull()).as("SGD's answers differ by design").isTrue();
        assertThat(rows.get(2).get("answers_differing_from_ar").asLong()).as("AR on its own model").isZero();
        assertThat(ar.get("steps_per_request").asDouble()).isEqualTo(ar.get("completion_tokens").asDouble());
        assertThat(ar.get("fewer_steps_vs_ar").asDouble()).isEqualTo(1.0);
        assertThat(ar.get("answer_speedup_vs_ar").asDouble()).isEqualTo(1.0);
        // AR's own sequence is the sequential one; a task's KV is counted after each step, and AR frees
        // its blocks in the step that feeds its last fed token, so its count may end one position short
        double sequential = ar.get("sequential_kv_blocks").asDouble();
        assertThat(ar.get("request_peak_kv_blocks").asDouble()).isBetween(sequential - 1, sequential);
        // braid-base finds its own greedy answer near certain
        assertThat(ar.get("mean_log_likelihood").asDouble()).isGreaterThan(-0.05);
        assertThat(Files.readString(out.resolve("bench.md"))).contains("| prompts | strategy |")
                .contains("SGD draft braid-draft").contains("answers scored by braid-base");
    }

    @Test
    void benchNamesWhatIsWrongWithItsNewOptions() {
        Run unknownSet = run("bench", "--model", "braid-base", "--prompts", "riddles");
        assertThat(unknownSet.code()).isEqualTo(2);
        assertThat(unknownSet.err()).contains("--prompts 'riddles'").contains("list").contains("multipart");
        Run noModel = run("bench", "--model", "braid-base", "--strategy", "ar,apar@");
        assertThat(noModel.code()).isEqualTo(2);
        assertThat(noModel.err()).contains("apar@").contains("names no model");
        Run twice = run("bench", "--model", "braid-base", "--prompts", "list,list");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("--prompts names list twice");
    }

    @Test
    void scorerFindsTheModelsOwnAnswerLikelierThanAScrambledOne() {
        try (LoadedModel model = LoadedModel.load(BundledModels.folder("braid-base").orElseThrow(), Device.cpu());
             AnswerScorer scorer = new AnswerScorer(model)) {
            String own = "1. What it is: Caching keeps copies of frequently used data close to where it is needed, "
                    + "so repeated reads are fast.";
            String scrambled = "1. is it What: needed copies Caching data of used close frequently where to keeps it is, "
                    + "reads so fast repeated are.";
            double ownScore = scorer.meanLogLikelihood(QUESTION, own);
            assertThat(ownScore).isNegative().isGreaterThan(-0.1);
            assertThat(scorer.meanLogLikelihood(QUESTION, scrambled)).isLessThan(ownScore - 2);
            assertThat(scorer.meanLogLikelihood(QUESTION, "")).isNaN();
        }
    }
}
