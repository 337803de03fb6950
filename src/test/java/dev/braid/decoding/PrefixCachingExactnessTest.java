package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.StrategyRuns.Job;
import dev.braid.model.BundledModels;
import dev.braid.model.LoadedModel;
import dev.braid.training.ChatFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Greedy answers are token for token the same with the prefix cache on and off, for every
 * strategy: requests that share a long preamble, one asked twice, and a chat's second turn that
 * repeats the first turn and its answer. With the cache on, the later requests report the tokens
 * they found cached; with it off, none.
 */
class PrefixCachingExactnessTest {

    private static final int NEW_TOKENS = 48;
    private static final int BLOCK = 16;
    private static final String PREAMBLE = "Answer for a platform team that runs an internal service on Kubernetes, "
            + "briefly and concretely. Name the tool or setting to use, and say what to measure before and after. ";

    @ParameterizedTest
    @CsvSource({"braid-base,ar", "braid-base,lookahead", "braid-base,jacobi", "braid-base,sgd",
            "braid-apar,apar", "braid-apar,apar-serial"})
    void answersAreTheSameWithTheCacheOnAndOff(String modelName, String strategyName) throws Exception {
        DecodingStrategy strategy = StrategyRuns.named(strategyName);
        try (LoadedModel model = LoadedModel.load(BundledModels.folder(modelName).orElseThrow(), Device.cpu())) {
            int[] first = model.tokenizer().encode(ChatFormat.prompt(PREAMBLE + "List 3 ways to make database queries faster."));
            int[] second = model.tokenizer().encode(ChatFormat.prompt(PREAMBLE + "What is caching and why does it matter?"));
            List<Job> jobs = new ArrayList<>(List.of(job(strategy, first), job(strategy, second), job(strategy, first)));
            List<GenerationResult> off = StrategyRuns.alone(model, jobs, false);

            int[] answer = off.get(0).first().tokenIds();
            int[] nextTurn = model.tokenizer().encode(ChatFormat.prompt("And which of them first?"));
            int[] chat = concat(first, answer, nextTurn);
            jobs.add(job(strategy, chat));
            off = new ArrayList<>(off);
            off.add(StrategyRuns.alone(model, List.of(jobs.get(3)), false).get(0));
            List<GenerationResult> on = StrategyRuns.alone(model, jobs, true);

            for (int i = 0; i < jobs.size(); i++) {
                assertThat(on.get(i).first().tokenIds()).as("%s on %s, request %d", strategyName, modelName, i)
                        .containsExactly(off.get(i).first().tokenIds());
                assertThat(off.get(i).cachedTokens()).isZero();
            }
            int preamble = commonPrefix(first, second);
            assertThat(preamble).isGreaterThan(2 * BLOCK);
            assertThat(on.get(1).cachedTokens()).as("the shared preamble").isGreaterThanOrEqualTo(fullBlocks(preamble));
            assertThat(on.get(2).cachedTokens()).as("the same prompt again")
                    .isGreaterThanOrEqualTo(fullBlocks(first.length - 1));
            assertThat(on.get(3).cachedTokens()).as("the chat's first turn").isGreaterThanOrEqualTo(fullBlocks(first.length));
        }
    }

    /**
     * With {@code n = 2}, the second lane starts a step after the first, from the prompt the first
     * put in the cache: the prompt is computed once, and each lane gives the greedy answer a request
     * of its own would. (Sampled lanes guess by the step's price, so they match AR in distribution,
     * not token for token.)
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"lookahead", "jacobi"})
    void lanesPastTheFirstStartFromTheCachedPrompt(String strategyName) throws Exception {
        DecodingStrategy strategy = StrategyRuns.named(strategyName);
        try (LoadedModel model = LoadedModel.load(BundledModels.folder("braid-base").orElseThrow(), Device.cpu())) {
            int[] prompt = model.tokenizer().encode(ChatFormat.prompt(PREAMBLE + "What is caching and why does it matter?"));
            StopCriteria stop = new StopCriteria(Set.of(), List.of(), 24);
            List<Job> jobs = List.of(
                    new Job(strategy, new GenerationRequest(prompt, SamplingParams.GREEDY, stop, 2)),
                    new Job(strategy, new GenerationRequest(prompt, SamplingParams.GREEDY, stop, 1)));
            List<GenerationResult> results = StrategyRuns.alone(model, jobs, true);
            GenerationResult pair = results.get(0);
            assertThat(pair.cachedTokens()).as("the second lane found all but the prompt's last token")
                    .isEqualTo(fullBlocks(prompt.length - 1));
            assertThat(pair.completions().get(0).tokenIds()).containsExactly(results.get(1).first().tokenIds());
            assertThat(pair.completions().get(1).tokenIds()).containsExactly(results.get(1).first().tokenIds());
        }
    }

    /** Only full blocks are cached; the runs' workers use blocks of {@link #BLOCK} positions. */
    private static int fullBlocks(int tokens) {
        return tokens / BLOCK * BLOCK;
    }

    private static Job job(DecodingStrategy strategy, int[] prompt) {
        return new Job(strategy, new GenerationRequest(prompt, SamplingParams.GREEDY,
                new StopCriteria(Set.of(), List.of(), NEW_TOKENS)));
    }

    private static int[] concat(int[]... parts) {
        int[] out = new int[0];
        for (int[] part : parts) {
            int at = out.length;
            out = Arrays.copyOf(out, at + part.length);
            System.arraycopy(part, 0, out, at, part.length);
        }
        return out;
    }

    private static int commonPrefix(int[] a, int[] b) {
        int i = 0;
        while (i < Math.min(a.length, b.length) && a[i] == b[i]) {
            i++;
        }
        return i;
    }
}
