package dev.braid.decoding;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import dev.braid.decoding.StrategyRuns.Job;
import dev.braid.decoding.ar.AutoregressiveStrategy;
import dev.braid.decoding.jacobi.JacobiParams;
import dev.braid.decoding.jacobi.JacobiStrategy;
import dev.braid.decoding.lookahead.LookaheadParams;
import dev.braid.decoding.lookahead.LookaheadStrategy;
import dev.braid.model.LoadedModel;
import dev.braid.model.ReferenceCase;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Lookahead and Jacobi are lossless: with greedy decoding they emit exactly autoregressive decoding's
 * tokens, for as many tokens as the fixtures' context of 256 allows, alone and sharing steps with
 * each other and with AR requests, with or without KV preemption.
 */
class GreedyLosslessTest {

    private static final int CONTEXT = 256;

    private final DecodingStrategy ar = new AutoregressiveStrategy();
    private final DecodingStrategy lookahead = new LookaheadStrategy();
    private final DecodingStrategy jacobi = new JacobiStrategy();

    /** The non-default shapes mixed into the batch: a large window without text n-grams, a long block. */
    private static final StrategyParams OTHER_SHAPES = StrategyParams.DEFAULTS
            .withLookahead(new LookaheadParams(8, 5, 8, false))
            .withJacobi(new JacobiParams(16));

    @ParameterizedTest
    @ValueSource(strings = {"llama-tiny", "gpt2-tiny", "llama-tiny-sharded-bf16"})
    void parallelStrategiesMatchGreedyArTokenForToken(String fixture) throws Exception {
        try (LoadedModel model = LoadedModel.load(ReferenceCase.FIXTURES.resolve(fixture), Device.cpu())) {
            List<ReferenceCase> cases = ReferenceCase.load(fixture);
            List<Job> solo = new ArrayList<>();
            for (ReferenceCase c : cases) {
                GenerationRequest request = fillContext(c, StrategyParams.DEFAULTS);
                solo.add(new Job(ar, request));
                solo.add(new Job(lookahead, request));
                solo.add(new Job(jacobi, request));
            }
            List<GenerationResult> alone = StrategyRuns.alone(model, solo);
            int compressed = 0;
            int jacobiSteps = 0;
            int jacobiTokens = 0;
            for (int i = 0; i < alone.size(); i += 3) {
                GenerationResult reference = alone.get(i);
                assertThat(reference.completionTokens()).isEqualTo(CONTEXT - cases.get(i / 3).promptIds().length);
                assertThat(reference.first().tokenIds()).as("AR agrees with the HF reference")
                        .startsWith(cases.get(i / 3).greedyNewIds());
                for (int s = 1; s <= 2; s++) {
                    GenerationResult result = alone.get(i + s);
                    assertThat(result.first().tokenIds()).as("%s, case %d, alone", result.strategy(), i / 3)
                            .containsExactly(reference.first().tokenIds());
                    assertThat(result.first().finishReason()).isEqualTo(FinishReason.LENGTH);
                    assertThat(result.steps()).isLessThanOrEqualTo(result.completionTokens());
                }
                if (alone.get(i + 1).steps() < alone.get(i + 1).completionTokens()) {
                    compressed++;
                }
                jacobiSteps += alone.get(i + 2).steps();
                jacobiTokens += alone.get(i + 2).completionTokens();
            }
            assertThat(compressed).as("lookahead prompts that took fewer steps than tokens").isPositive();
            assertThat(jacobiSteps).as("Jacobi accepted more than one token in some steps").isLessThan(jacobiTokens);

            // every case under every strategy, plus other shapes and an end token, in one worker
            List<Job> mixed = new ArrayList<>(solo);
            List<int[]> expected = new ArrayList<>();
            alone.forEach(r -> expected.add(r.first().tokenIds()));
            for (int i = 0; i < cases.size(); i++) {
                GenerationRequest other = fillContext(cases.get(i), OTHER_SHAPES);
                mixed.add(new Job(i % 2 == 0 ? lookahead : jacobi, other));
                expected.add(alone.get(3 * i).first().tokenIds());
            }
            int[] reference = alone.get(0).first().tokenIds();
            int stopAt = 40;
            GenerationRequest stopped = new GenerationRequest(cases.get(0).promptIds(), SamplingParams.GREEDY,
                    new StopCriteria(Set.of(reference[stopAt]), List.of(), 200));
            mixed.add(new Job(lookahead, stopped));
            mixed.add(new Job(jacobi, stopped));
            int[] untilStop = Arrays.copyOf(reference, firstIndexOf(reference, reference[stopAt]) + 1);
            expected.add(untilStop);
            expected.add(untilStop);

            for (int blocks : new int[] {2048, 48}) {
                StrategyRuns.Batch batch = StrategyRuns.together(model, mixed, blocks);
                for (int j = 0; j < mixed.size(); j++) {
                    GenerationResult result = batch.results().get(j);
                    assertThat(result.first().tokenIds())
                            .as("%s, job %d, in a batch over %d KV blocks", result.strategy(), j, blocks)
                            .containsExactly(expected.get(j));
                }
                if (blocks == 48) {
                    assertThat(batch.stats().preemptions()).as("a small pool forces preemption and recompute")
                            .isPositive();
                }
            }

            // any budget sequence: a price that changes at random with every look makes each lane pick
            // its block and shape at random, step by step
            java.util.SplittableRandom dice = new java.util.SplittableRandom(11);
            StrategyRuns.Batch random = StrategyRuns.together(model, mixed, 2048,
                    tokens -> 1 + dice.nextDouble() * tokens);
            for (int j = 0; j < mixed.size(); j++) {
                GenerationResult result = random.results().get(j);
                assertThat(result.first().tokenIds())
                        .as("%s, job %d, under random guess prices", result.strategy(), j)
                        .containsExactly(expected.get(j));
            }
        }
    }

    private static GenerationRequest fillContext(ReferenceCase c, StrategyParams params) {
        int maxNew = CONTEXT - c.promptIds().length;
        return new GenerationRequest(c.promptIds(), SamplingParams.GREEDY, new StopCriteria(Set.of(), List.of(), maxNew),
                1, params);
    }

    private static int firstIndexOf(int[] tokens, int token) {
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] == token) {
                return i;
            }
        }
        return -1;
    }
}
