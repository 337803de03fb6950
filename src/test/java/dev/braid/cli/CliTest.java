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

class CliTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void generateJsonPrintsTheReferenceGreedyTokens() {
        ReferenceCase c = ReferenceCase.load("llama-tiny").get(0);
        String ids = Arrays.stream(c.promptIds()).mapToObj(String::valueOf).collect(Collectors.joining(","));
        Run run = run("generate", "--model", ReferenceCase.FIXTURES.resolve("llama-tiny").toString(),
                "--prompt-ids", ids, "--max-new-tokens", "20", "--json");
        assertThat(run.code()).as(run.err()).isZero();
        JsonNode json = JsonMapper.shared().readTree(run.out());
        assertThat(json.get("strategy").asString()).isEqualTo("ar");
        int[] tokens = new int[json.get("token_ids").size()];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = json.get("token_ids").get(i).asInt();
        }
        assertThat(tokens).containsExactly(Arrays.copyOf(c.greedyNewIds(), 20));
        assertThat(json.get("prompt_tokens").asInt()).isEqualTo(c.promptIds().length);
        assertThat(json.get("completion_tokens").asInt()).isEqualTo(20);
        assertThat(json.get("steps").asInt()).isEqualTo(20);
        assertThat(json.get("peak_kv_blocks").asInt()).isPositive();
        assertThat(json.has("elapsed_ms")).isTrue();
        assertThat(run.out().strip().lines().count()).as("stdout holds exactly one JSON object").isEqualTo(1);
    }

    @Test
    void generateTextDecodesThePrompt() {
        ReferenceCase c = ReferenceCase.load("gpt2-tiny").get(1);
        Run run = run("generate", "--model", ReferenceCase.FIXTURES.resolve("gpt2-tiny").toString(),
                "--prompt", c.prompt(), "--max-new-tokens", "8");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).isNotBlank();
    }

    @Test
    void usageErrorsExitWithTwoAndNameTheProblem() {
        assertThat(run("generate", "--prompt", "x")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--model");
        });
        assertThat(run("generate", "--model", "/nonexistent/model", "--prompt", "x").err()).contains("/nonexistent/model");
        assertThat(run("generate", "--model", "x", "--prompt", "a", "--prompt-ids", "1").code()).isEqualTo(2);
        assertThat(run("generate", "--model", "x", "--prompt", "a", "--max-new-tokens", "lots")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--max-new-tokens");
        });
        assertThat(run("generate", "--frobnicate").err()).contains("unknown option --frobnicate");
        assertThat(run("bench", "--model", ReferenceCase.FIXTURES.resolve("llama-tiny").toString(),
                "--strategy", "telepathy").err()).contains("telepathy");
        assertThat(run("bench", "--model", "x", "--requests-per-client", "2", "--rounds", "3")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--rounds 3 is more than --requests-per-client 2");
        });
        assertThat(run("fly").code()).isEqualTo(2);
        assertThat(run("train", "--recipe", "tiny", "--corpus", "/nonexistent/corpus.jsonl")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("--corpus /nonexistent/corpus.jsonl does not exist");
        });
        assertThat(run("train", "--recipe", "enormous").err()).contains("unknown recipe 'enormous'");
        assertThat(run("init-model", "--output", "x", "--params", "huge").code()).isEqualTo(2);
    }

    @Test
    void helpOnEveryCommandPrintsThatCommandsUsageAndExitsZero() {
        String[][] commands = {{"generate"}, {"bench"}, {"bench", "--url", "http://localhost:1"}, {"init-model"},
                {"train"}, {"generate", "--model", "/nonexistent", "--max-new-tokens", "lots"}};
        String[] starts = {"usage: java -jar braid.jar generate --model DIR|NAME [--prompt TEXT]",
                "usage: java -jar braid.jar bench --model DIR|NAME [--strategy S[,S...]]",
                "usage: java -jar braid.jar bench --url URL --model NAME [--concurrency 1,8,32]",
                "usage: java -jar braid.jar init-model --output DIR [--params 25M] [--layers N]",
                "usage: java -jar braid.jar train --recipe base|draft|tiny|cllm|apar [--output DIR]",
                "usage: java -jar braid.jar generate --model DIR|NAME [--prompt TEXT]"};
        for (int i = 0; i < commands.length; i++) {
            String[] args = Arrays.copyOf(commands[i], commands[i].length + 1);
            args[args.length - 1] = "--help";
            Run run = run(args);
            assertThat(run.code()).as("%s", Arrays.toString(args)).isZero();
            assertThat(run.err()).as("%s", Arrays.toString(args)).isEmpty();
            assertThat(run.out()).as("%s", Arrays.toString(args)).startsWith(starts[i]);
        }
    }

    @Test
    void usageListsEveryStrategyAndRecipeWithTheOptionsTheParserTakes() {
        Run help = run("generate", "--help");
        assertThat(help.out()).contains("--strategy ar|lookahead|jacobi|apar|sgd  the decoding strategy (default ar)",
                "--window W", "--jacobi-block n", "Jacobi's block of guessed tokens, 1-64 (default 8)", "--apar-branches B",
                "--kv-blocks N", "blocks in the KV pool (default 32768)", "--raw", "--json");
        assertThat(run("bench", "--url", "http://x", "-h").out())
                .contains("--strategy auto|ar|lookahead|jacobi|apar|sgd  the request's strategy (default auto)")
                .doesNotContain("--kv-blocks");
        Run all = run("help");
        assertThat(all.code()).isZero();
        assertThat(all.out()).contains("[--strategy ar|lookahead|jacobi|apar|sgd]",
                "train --recipe base|draft|tiny|cllm|apar", "bench --url URL --model NAME", "COMMAND --help");
        // an option the help lists is one the parser takes, and nothing else
        assertThat(run("init-model", "--output", "x", "--params", "huge", "--seed", "3").err())
                .contains("--params must look like 25M").doesNotContain("unknown option");
        assertThat(run("init-model", "--output", "x", "--strategy", "ar").err()).contains("unknown option --strategy");
    }

    @Test
    void helpAsAnOptionsValueIsThatValue() {
        Run run = run("generate", "--model", "/nonexistent/model", "--prompt", "--help");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("model '/nonexistent/model' is neither a model folder nor a bundled model");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void promptBeyondTheContextFailsWithAClearMessage() {
        String ids = String.join(",", java.util.Collections.nCopies(300, "5"));
        Run run = run("generate", "--model", ReferenceCase.FIXTURES.resolve("llama-tiny").toString(), "--prompt-ids", ids);
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("300 tokens").contains("context of 256");
    }

    @Test
    void brokenCheckpointFailsWithAMessageNamingTheFile(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("broken");
        Files.createDirectories(model);
        Path fixture = ReferenceCase.FIXTURES.resolve("llama-tiny");
        for (String file : new String[] {"config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
            Files.copy(fixture.resolve(file), model.resolve(file));
        }
        byte[] weights = Files.readAllBytes(fixture.resolve("model.safetensors"));
        Files.write(model.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
        Run run = run("generate", "--model", model.toString(), "--prompt", "hi");
        assertThat(run.code()).isEqualTo(1);
        assertThat(run.err()).contains("model.safetensors");
    }

    @Test
    void initModelWritesALoadableCheckpointAndBenchReportsEveryLevel(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("random");
        Run init = run("init-model", "--output", model.toString(), "--params", "200K");
        assertThat(init.code()).as(init.err()).isZero();
        Path out = dir.resolve("bench");
        Run bench = run("bench", "--model", model.toString(), "--concurrency", "1,4", "--max-new-tokens", "6",
                "--requests-per-client", "1", "--output", out.toString());
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode report = JsonMapper.shared().readTree(Files.readString(out.resolve("bench.json")));
        assertThat(report.get("levels")).hasSize(2);
        assertThat(report.get("levels").get(1).get("concurrency").asInt()).isEqualTo(4);
        assertThat(report.get("levels").get(1).get("completion_tokens").asInt()).isEqualTo(24);
        assertThat(Files.readString(out.resolve("bench.md"))).contains("| concurrency |");
    }

    /**
     * Chats behind one system prompt, with the prefix cache on and off in one run: the cached rows
     * compute a fraction of the prompt tokens, the uncached rows all of them.
     */
    @Test
    void benchComparesThePrefixCacheOnAndOffSideBySide(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("bench");
        Run bench = run("bench", "--model", "braid-base", "--prompts", "shared-system", "--prefix-caching", "on,off",
                "--concurrency", "4", "--max-new-tokens", "4", "--requests-per-client", "2", "--stagger-ms", "5",
                "--warm-up-requests", "1", "--output", out.toString());
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode report = JsonMapper.shared().readTree(Files.readString(out.resolve("bench.json")));
        assertThat(report.get("stagger_ms").asInt()).isEqualTo(5);
        JsonNode levels = report.get("levels");
        assertThat(levels).hasSize(2);
        JsonNode on = levels.get(0);
        JsonNode off = levels.get(1);
        assertThat(on.get("prefix_caching").asString()).isEqualTo("on");
        assertThat(off.get("prefix_caching").asString()).isEqualTo("off");
        double prompt = on.get("prompt_tokens_per_request").asDouble();
        assertThat(prompt).as("the system prompt and a question").isGreaterThan(250);
        assertThat(off.get("cached_tokens_per_request").asDouble()).isZero();
        assertThat(on.get("cached_tokens_per_request").asDouble()).as("all but the first request find the system prompt")
                .isGreaterThan(0.75 * (prompt - 40));
        assertThat(on.get("fewer_prompt_tokens_computed_vs_no_cache").asDouble()).isGreaterThan(3);

        Run twice = run("bench", "--model", "braid-base", "--prefix-caching", "on,on");
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("--prefix-caching names on twice");
        Run wrong = run("generate", "--model", "braid-base", "--prompt", "hi", "--prefix-caching", "on,off");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(wrong.err()).contains("--prefix-caching takes one value here");
    }

    @Test
    void initModelWritesAGivenShapeAndRefusesAHalfGivenOne(@TempDir Path dir) throws IOException {
        Path model = dir.resolve("shaped");
        Run init = run("init-model", "--output", model.toString(), "--layers", "2", "--hidden", "192", "--heads", "3",
                "--kv-heads", "1", "--intermediate", "96", "--vocab", "600");
        assertThat(init.code()).as(init.err()).isZero();
        JsonNode config = JsonMapper.shared().readTree(Files.readString(model.resolve("config.json")));
        assertThat(config.get("num_hidden_layers").asInt()).isEqualTo(2);
        assertThat(config.get("hidden_size").asInt()).isEqualTo(192);
        assertThat(config.get("num_attention_heads").asInt()).isEqualTo(3);
        assertThat(config.get("num_key_value_heads").asInt()).isEqualTo(1);
        assertThat(config.get("head_dim").asInt()).isEqualTo(64);
        assertThat(config.get("intermediate_size").asInt()).isEqualTo(96);
        assertThat(config.get("vocab_size").asInt()).isEqualTo(600);
        Run generate = run("generate", "--model", model.toString(), "--prompt", "hi", "--max-new-tokens", "3", "--json");
        assertThat(generate.code()).as(generate.err()).isZero();

        Run half = run("init-model", "--output", dir.resolve("half").toString(), "--layers", "2");
        assertThat(half.code()).isEqualTo(2);
        assertThat(half.err()).contains("a shape needs --layers and --hidden");
        Run both = run("init-model", "--output", dir.resolve("both").toString(), "--params", "1M", "--layers", "2",
                "--hidden", "128");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("--params and a shape");
        Run uneven = run("init-model", "--output", dir.resolve("uneven").toString(), "--layers", "2", "--hidden", "128",
                "--heads", "2", "--kv-heads", "3");
        assertThat(uneven.code()).isEqualTo(2);
        assertThat(uneven.err()).contains("numHeads 2 is not divisible by numKvHeads 3");
    }

    @Test
    void anAparModelWritesEveryBranchUnderArAsTheServiceDoes() {
        String[] question = {"generate", "--model", "braid-apar", "--prompt", "List 3 ways to make database queries faster.",
                "--max-new-tokens", "256", "--json", "--strategy"};
        JsonNode apar = json(run(concat(question, "apar")));
        JsonNode ar = json(run(concat(question, "ar")));
        assertThat(ar.get("strategy").asString()).isEqualTo("apar-serial");
        assertThat(ar.get("text").asString()).isEqualTo(apar.get("text").asString());
        assertThat(ar.get("completion_tokens").asInt()).isEqualTo(apar.get("completion_tokens").asInt());
        // one live branch at a time: the steps of plain decoding, not APAR's parallel ones
        assertThat(ar.get("steps").asInt()).isGreaterThanOrEqualTo(ar.get("completion_tokens").asInt())
                .isGreaterThan(apar.get("steps").asInt());

        // told it is not APAR-tuned, ar stays ar and stops each item at its [Fork]
        JsonNode plain = json(run(concat(concat(question, "ar"), "--capabilities", "cllm")));
        assertThat(plain.get("strategy").asString()).isEqualTo("ar");
        assertThat(plain.get("completion_tokens").asInt()).isLessThan(apar.get("completion_tokens").asInt());
        Run unknown = run(concat(concat(question, "ar"), "--capabilities", "fork"));
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("--capabilities holds 'fork'");
    }

    private static JsonNode json(Run run) {
        assertThat(run.code()).as(run.err()).isZero();
        return JsonMapper.shared().readTree(run.out());
    }

    private static String[] concat(String[] head, String... tail) {
        String[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
