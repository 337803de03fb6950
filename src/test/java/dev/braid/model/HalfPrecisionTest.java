package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDScope;
import dev.braid.kv.BlockTable;
import dev.braid.kv.PagedKvCache;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * float16 and bfloat16 weight matrices ({@code braid.engine.dtype}) against the float32 engine,
 * which {@link TransformerReferenceTest} holds to transformers: how far the logits move, and how
 * often greedy decoding still picks the same token.
 */
class HalfPrecisionTest {

    private static final List<String> QUESTIONS = List.of(
            "How do I keep a sourdough starter alive while travelling?",
            "Explain what a load balancer does for a small web shop.",
            "What should I pack for a three day hike in autumn?",
            "Why do cats knock things off tables?",
            "Give me three tips for writing clearer emails.",
            "How does compound interest work on a savings account?");

    @ParameterizedTest
    // bfloat16 keeps 8 bits of mantissa to float16's 11: its logits move about eight times as far,
    // enough to flip a position whose top two logits lie within a few hundredths
    @CsvSource({"llama-tiny, FLOAT16, 0.02, 1.0", "gpt2-tiny, FLOAT16, 0.02, 1.0",
            "llama-tiny, BFLOAT16, 0.1, 0.95", "gpt2-tiny, BFLOAT16, 0.1, 0.95"})
    void halfSizeMatricesMoveTheLogitsLittleAndKeepTheArgmax(String fixture, WeightDtype dtype, double tolerance,
                                                            double agreement) {
        Path folder = ReferenceCase.FIXTURES.resolve(fixture);
        try (LoadedModel full = LoadedModel.load(folder, Device.cpu());
             LoadedModel half = LoadedModel.load(folder, Device.cpu(), dtype)) {
            assertThat(half.transformer().dtype()).isEqualTo(dtype);
            // the products halve; norms and a tied embedding (gpt2-tiny's LM head) stay float32
            assertThat(half.transformer().streamedWeightBytes()).isLessThan(full.transformer().streamedWeightBytes());
            assertThat(half.transformer().parameterCount()).isEqualTo(full.transformer().parameterCount());
            PrefillComparison compared = PrefillComparison.of(full, half, fixture);
            System.out.printf("%s weights, %s: max |logit - float32 logit| %.5f, argmax agreement %d/%d%n",
                    dtype.key(), fixture, compared.worst(), compared.agreeing(), compared.positions());
            assertThat(compared.worst()).isLessThan(tolerance);
            assertThat((double) compared.agreeing() / compared.positions()).isGreaterThanOrEqualTo(agreement);
        }
    }

    @ParameterizedTest
    @CsvSource({"FLOAT16, 0.8", "BFLOAT16, 0.7"})
    void greedyAnswersOfTheBundledModelMostlyAgree(WeightDtype dtype, double agreement) {
        Path folder = BundledModels.folder("braid-base").orElseThrow();
        try (LoadedModel full = LoadedModel.load(folder, Device.cpu());
             LoadedModel half = LoadedModel.load(folder, Device.cpu(), dtype)) {
            int tokens = 0;
            int agreeing = 0;
            int identicalAnswers = 0;
            for (String question : QUESTIONS) {
                int[] prompt = full.tokenizer().encode(question);
                int[] a = greedy(full, prompt, 48);
                int[] b = greedy(half, prompt, 48);
                int same = 0;
                while (same < a.length && a[same] == b[same]) {
                    same++;
                }
                tokens += a.length;
                agreeing += same;
                identicalAnswers += same == a.length ? 1 : 0;
            }
            System.out.printf("%s weights, braid-base: greedy tokens before the first difference %d/%d, "
                    + "identical answers %d/%d%n", dtype.key(), agreeing, tokens, identicalAnswers, QUESTIONS.size());
            assertThat((double) agreeing / tokens).isGreaterThanOrEqualTo(agreement);
        }
    }

    /**
     * Half-precision weights packed for oneDNN ({@link ProductMethod#PACKED}) against the same weights
     * multiplied by libtorch's own product, every row count packed. A CPU whose oneDNN has no
     * bfloat16 kernels refuses to pack them, and the model then keeps multiplying them unpacked.
     */
    @ParameterizedTest
    @CsvSource({"llama-tiny", "gpt2-tiny"})
    void packedBfloat16ProductsMatchTheUnpackedOnes(String fixture) {
        Path folder = ReferenceCase.FIXTURES.resolve(fixture);
        try (LoadedModel unpacked = LoadedModel.load(folder, Device.cpu(), WeightDtype.BFLOAT16);
             LoadedModel packed = LoadedModel.load(folder, Device.cpu(), WeightDtype.BFLOAT16)) {
            boolean packs;
            try {
                packs = packed.transformer().packProducts();
            } catch (RuntimeException refused) {
                assertThat(refused).hasMessageContaining("bf16");
                packs = false;
            }
            for (ProductRows range : ProductRows.values()) {
                packed.transformer().productMethod(range, false, ProductMethod.PACKED);
                packed.transformer().productMethod(range, true, ProductMethod.PACKED);
            }
            PrefillComparison compared = PrefillComparison.of(unpacked, packed, fixture);
            System.out.printf("bfloat16 weights, %s, %s: max |logit - unpacked logit| %.5f, argmax agreement %d/%d%n",
                    packs ? "packed" : "packing refused by this CPU", fixture, compared.worst(), compared.agreeing(),
                    compared.positions());
            assertThat(compared.worst()).isLessThan(0.05);
            assertThat(compared.agreeing()).isEqualTo(compared.positions());
        }
    }

    @Test
    void anUnknownPrecisionIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> WeightDtype.parse("int4"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32, float16, bfloat16");
        assertThat(WeightDtype.parse(" Float16 ")).isEqualTo(WeightDtype.FLOAT16);
        assertThat(WeightDtype.parse("bfloat16")).isEqualTo(WeightDtype.BFLOAT16);
    }

    /** Two models' prefill logits over a fixture's prompts: the largest difference and the argmaxes they share. */
    private record PrefillComparison(int positions, int agreeing, double worst) {

        static PrefillComparison of(LoadedModel reference, LoadedModel other, String fixture) {
            int positions = 0;
            int agreeing = 0;
            double worst = 0;
            for (ReferenceCase c : ReferenceCase.load(fixture)) {
                float[][] a = prefillLogits(reference, c.promptIds());
                float[][] b = prefillLogits(other, c.promptIds());
                for (int p = 0; p < a.length; p++) {
                    positions++;
                    agreeing += argmax(a[p]) == argmax(b[p]) ? 1 : 0;
                    for (int v = 0; v < a[p].length; v++) {
                        worst = Math.max(worst, Math.abs(a[p][v] - b[p][v]));
                    }
                }
            }
            return new PrefillComparison(positions, agreeing, worst);
        }
    }

    private static float[][] prefillLogits(LoadedModel model, int[] prompt) {
        try (PagedKvCache cache = new PagedKvCache(model.transformer().cacheSpec(1, 256), Device.cpu());
             NDScope ignored = new NDScope()) {
            BlockTable table = cache.newSequence();
            assertThat(cache.reserve(table, prompt.length)).isTrue();
            StepOutput out = model.transformer().forward(
                    new StepBatch(List.of(StepPlan.append(table, prompt).withAllLogits())), cache);
            float[][] logits = new float[prompt.length][];
            for (int p = 0; p < prompt.length; p++) {
                logits[p] = out.logits(0, p);
            }
            return logits;
        }
    }

    private static int[] greedy(LoadedModel model, int[] prompt, int count) {
        int[] out = new int[count];
        try (PagedKvCache cache = new PagedKvCache(model.transformer().cacheSpec(1, 512), Device.cpu())) {
            BlockTable table = cache.newSequence();
            int[] input = prompt;
            for (int i = 0; i < count; i++) {
                assertThat(cache.reserve(table, input.length)).isTrue();
                try (NDScope ignored = new NDScope()) {
                    StepOutput step = model.transformer().forward(new StepBatch(List.of(StepPlan.append(table, input))), cache);
                    step.commitPrefix(0, input.length);
                    step.flush();
                    out[i] = step.argmax(0, 0);
                    input = new int[] {out[i]};
                }
            }
        }
        return out;
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
