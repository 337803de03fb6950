package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.model.ReferenceCase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The parallel strategies from the command line: their flags, {@code generate} and the comparing bench. */
class StrategyFlagsTest {

    private static final String MODEL = ReferenceCase.FIXTURES.resolve("llama-tiny").toString();

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
    void outOfRangeStrategyFlagsAreUsageErrorsNamingTheFlag() {
        String[][] bad = {{"--window", "0"}, {"--window", "65"}, {"--ngram", "1"}, {"--ngram", "17"},
                {"--candidates", "0"}, {"--candidates", "100"}, {"--jacobi-block", "0"}, {"--jacobi-block", "65"},
                {"--apar-branches", "0"}, {"--apar-branches", "65"}, {"--window", "wide"}};
        for (String[] flag : bad) {
            for (String command : new String[] {"generate", "bench"}) {
                Run r = command.equals("generate")
                        ? run(command, "--model", MODEL, "--prompt-ids", "1,2", flag[0], flag[1])
                        : run(command, "--model", MODEL, flag[0], flag[1]);
                assertThat(r.code()).as("%s %s %s", command, flag[0], flag[1]).isEqualTo(2);
                assertThat(r.err()).contains(flag[0]);
            }
        }
        Run twice = run("bench", "--model", MODEL, "--strategy", "ar,ar");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("twice");
    }

    @Test
    void generateWithLookaheadAndJacobiPrintsTheGreedyTokensInFewerSteps() {
        ReferenceCase c = ReferenceCase.load("llama-tiny").get(0);
        String ids = Arrays.stream(c.promptIds()).mapToObj(String::valueOf).collect(Collectors.joining(","));
        int[] reference = Arrays.copyOf(c.greedyNewIds(), 48);
        JsonNode lookahead = generate("--prompt-ids", ids, "--strategy", "lookahead", "--window", "6",
                "--ngram", "4", "--candidates", "6");
        assertThat(lookahead.get("strategy").asString()).isEqualTo("lookahead");
        assertThat(tokens(lookahead)).containsExactly(reference);
        assertThat(lookahead.get("steps").asInt()).isLessThan(48);
        JsonNode trace = lookahead.get("trace");
        assertThat(trace.get("type").asString()).isEqualTo("lookahead");
        int accepted = 0;
        for (JsonNode step : trace.get("accepted")) {
            accepted += step.get("tokens").asInt();
        }
        assertThat(accepted).as("every token, step by step").isEqualTo(48);
        assertThat(trace.get("accepted").size()).as("one entry a step").isEqualTo(lookahead.get("steps").asInt());
        JsonNode jacobi = generate("--prompt-ids", ids, "--strategy", "jacobi", "--jacobi-block", "4");
        assertThat(jacobi.get("strategy").asString()).isEqualTo("jacobi");
        assertThat(jacobi.has("trace")).as("Jacobi keeps no trace").isFalse();
        assertThat(tokens(jacobi)).containsExactly(reference);
    }

    @Test
    void benchComparesStrategiesAtEachLevel(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("bench");
        // whole prompts in one step: a calibrated chunk budget would add prefill steps that emit no token
        Run bench = run("bench", "--model", MODEL, "--strategy", "ar,lookahead,jacobi", "--concurrency", "1,2",
                "--max-new-tokens", "12", "--requests-per-client", "1", "--window", "3", "--apar-branches", "2",
                "--max-step-tokens", "4096", "--warm-up-requests", "2", "--output", out.toString());
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode report = JsonMapper.shared().readTree(Files.readString(out.resolve("bench.json")));
        assertThat(report.get("strategy").asString()).isEqualTo("ar,lookahead,jacobi");
        assertThat(report.get("warm_up_requests").asInt()).isEqualTo(2);
        assertThat(report.get("strategy_params").get("window").asInt()).isEqualTo(3);
        assertThat(report.get("strategy_params").get("apar_branches").asInt()).isEqualTo(2);
        JsonNode levels = report.get("levels");
        assertThat(levels).hasSize(6);
        String[] order = {"ar", "lookahead", "jacobi", "ar", "lookahead", "jacobi"};
        for (int i = 0; i < 6; i++) {
            JsonNode row = levels.get(i);
            assertThat(row.get("strategy").asString()).isEqualTo(order[i]);
            assertThat(row.get("concurrency").asInt()).isEqualTo(i < 3 ? 1 : 2);
            assertThat(row.get("completion_tokens").asInt()).isEqualTo(12 * (i < 3 ? 1 : 2));
            assertThat(row.get("tokens_per_request_step").asDouble()).isGreaterThanOrEqualTo(1.0);
            assertThat(row.get("speedup_vs_ar").asDouble()).isPositive();
            assertThat(row.get("answers_differing_from_ar").asLong()).as("lossless: AR's answers, token for token").isZero();
            assertThat(row.get("jit_ms").isIntegralNumber()).as("the JIT's time in the row's turns").isTrue();
            assertThat(row.get("jit_ms").asLong()).isNotNegative();
        }
        assertThat(levels.get(0).get("speedup_vs_ar").asDouble()).isEqualTo(1.0);
        // one round a level: its ratio is the row's, and AR's own row decides nothing
        assertThat(levels.get(1).get("speedup_vs_ar_round_median").asDouble())
                .isCloseTo(levels.get(1).get("speedup_vs_ar").asDouble(), org.assertj.core.data.Offset.offset(0.011));
        assertThat(levels.get(0).get("rounds_faster_than_ar").asString()).isEqualTo("0/0");
        assertThat(levels.get(0).get("slower_than_ar_p").asDouble()).isEqualTo(1.0);
        assertThat(levels.get(0).get("tokens_per_request_step").asDouble()).isEqualTo(1.0);
        String markdown = Files.readString(out.resolve("bench.md"));
        assertThat(markdown).contains("| strategy | concurrency |").contains("speedup_vs_ar")
                .contains("| slower_than_ar_p |").doesNotContain("round_tokens_per_second")
                .contains("lookahead: throughput at concurrency 2");
    }

    /**
     * On a modelled device the time is the steps': with a flat cost it is their count alone, so the
     * modelled speedup is the ratio of steps; and the run repeats itself, the guesses priced by the
     * model and the filler drawn from each question's own seed.
     */
    @Test
    void benchPricesGuessesOnAModelledDeviceAndReportsTheTimeItsStepsTakeThere(@TempDir Path dir) throws IOException {
        JsonNode flat = modelledBench(dir.resolve("flat"), "3,0");
        assertThat(flat.get("modelled_step_cost").get("ms").asDouble()).isEqualTo(3.0);
        assertThat(flat.get("modelled_step_cost").get("ms_per_token").asDouble()).isZero();
        for (JsonNode row : flat.get("levels")) {
            // 2 requests of 12 tokens in steps of 3 ms each
            double steps = row.get("steps").asDouble();
            assertThat(row.get("modelled_tokens_per_second").asDouble())
                    .isCloseTo(24 * 1000 / (3 * steps), org.assertj.core.data.Offset.offset(0.006));
            assertThat(row.get("modelled_speedup_vs_ar").asDouble())
                    .isCloseTo(row.get("fewer_steps_vs_ar").asDouble(), org.assertj.core.data.Offset.offset(0.011));
        }
        JsonNode sloped = modelledBench(dir.resolve("sloped"), "3,0.5");
        JsonNode again = modelledBench(dir.resolve("again"), "3,0.5");
        for (int i = 0; i < sloped.get("levels").size(); i++) {
            JsonNode row = sloped.get("levels").get(i);
            assertThat(again.get("levels").get(i).get("modelled_tokens_per_second").asDouble())
                    .as("%s, run again", row.get("strategy").asString())
                    .isEqualTo(row.get("modelled_tokens_per_second").asDouble());
        }
        assertThat(sloped.get("levels").get(0).get("modelled_speedup_vs_ar").asDouble()).isEqualTo(1.0);
        for (String bad : new String[] {"2", "0,1", "2,-1", "two,1", "2,1,3"}) {
            Run r = run("bench", "--model", MODEL, "--modelled-step-cost", bad);
            assertThat(r.code()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains("--modelled-step-cost");
        }
    }

    private static JsonNode modelledBench(Path out, String device) throws IOException {
        Run bench = run("bench", "--model", MODEL, "--strategy", "ar,jacobi", "--concurrency", "1",
                "--max-new-tokens", "12", "--requests-per-client", "2", "--max-step-tokens", "4096",
                "--warm-up-requests", "1", "--modelled-step-cost", device, "--output", out.toString());
        assertThat(bench.code()).as(bench.err()).isZero();
        return JsonMapper.shared().readTree(Files.readString(out.resolve("bench.json")));
    }

    private static JsonNode generate(String... extra) {
        String[] args = new String[extra.length + 5];
        args[0] = "generate";
        args[1] = "--model";
        args[2] = MODEL;
        args[3] = "--max-new-tokens";
        args[4] = "48";
        System.arraycopy(extra, 0, args, 5, extra.length);
        String[] withJson = Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        Run r = run(withJson);
        assertThat(r.code()).as(r.err()).isZero();
        return JsonMapper.shared().readTree(r.out());
    }

    private static int[] tokens(JsonNode json) {
        int[] tokens = new int[json.get("token_ids").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = json.get("token_ids").get(i).asInt();
        }
        return tokens;
    }
}
