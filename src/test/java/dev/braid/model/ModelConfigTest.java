package dev.braid.model;

import static dev.braid.model.LoaderFixtures.fixture;
import static dev.braid.model.LoaderFixtures.readJson;
import static dev.braid.model.LoaderFixtures.writeJson;
import static dev.braid.model.LoaderFixtures.writeString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.node.ObjectNode;

class ModelConfigTest {

    @TempDir
    Path temp;

    @Test
    void parsesLlamaTiny() {
        ModelConfig config = ModelConfig.load(fixture("llama-tiny"));

        assertThat(config).isEqualTo(new ModelConfig(Architecture.LLAMA, 512, 64, 2, 4, 2, 16, 176, 256,
                1e-5f, 10_000.0, RopeScaling.none(), false, false, false, "silu", null));
    }

    @Test
    void parsesGpt2TinyWithItsOwnFieldNamesAndDefaults() {
        ModelConfig config = ModelConfig.load(fixture("gpt2-tiny"));

        assertThat(config.architecture()).isEqualTo(Architecture.GPT2);
        assertThat(config.vocabSize()).isEqualTo(512);
        assertThat(config.hiddenSize()).isEqualTo(64);
        assertThat(config.numLayers()).isEqualTo(2);
        assertThat(config.numHeads()).isEqualTo(4);
        assertThat(config.numKvHeads()).isEqualTo(4);
        assertThat(config.headDim()).isEqualTo(16);
        assertThat(config.intermediateSize()).as("n_inner is null, so 4 * n_embd").isEqualTo(256);
        assertThat(config.maxPositionEmbeddings()).isEqualTo(256);
        assertThat(config.normEps()).isEqualTo(1e-5f);
        assertThat(config.tieWordEmbeddings()).isTrue();
        assertThat(config.hiddenAct()).isEqualTo("gelu_new");
        assertThat(config.attentionBias()).isTrue();
        assertThat(config.slidingWindow()).isNull();
    }

    @Test
    void bf16ShardedFixtureHasTheSameArchitectureAsLlamaTiny() {
        assertThat(ModelConfig.load(fixture("llama-tiny-sharded-bf16")))
                .isEqualTo(ModelConfig.load(fixture("llama-tiny")));
    }

    @Test
    void parsesOlderTopLevelRopeThetaAndRopeScaling() {
        Path folder = llamaVariant(c -> {
            c.remove("rope_parameters");
            c.put("rope_theta", 500_000.0);
            c.putObject("rope_scaling")
                    .put("rope_type", "llama3")
                    .put("factor", 8.0)
                    .put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0)
                    .put("original_max_position_embeddings", 8192);
        });

        ModelConfig config = ModelConfig.load(folder);

        assertThat(config.ropeTheta()).isEqualTo(500_000.0);
        assertThat(config.ropeScaling()).isEqualTo(RopeScaling.llama3(8.0, 1.0, 4.0, 8192));
    }

    @Test
    void parsesOlderLinearScalingSpelledWithType() {
        Path folder = llamaVariant(c -> {
            c.remove("rope_parameters");
            c.putObject("rope_scaling").put("type", "linear").put("factor", 2.0);
        });

        assertThat(ModelConfig.load(folder).ropeScaling()).isEqualTo(RopeScaling.linear(2.0));
        assertThat(ModelConfig.load(folder).ropeTheta()).as("HF default when absent").isEqualTo(10_000.0);
    }

    @Test
    void nullRopeScalingMeansDefaultRope() {
        Path folder = llamaVariant(c -> {
            c.remove("rope_parameters");
            c.put("rope_theta", 1_000_000.0);
            c.putNull("rope_scaling");
        });

        ModelConfig config = ModelConfig.load(folder);

        assertThat(config.ropeTheta()).isEqualTo(1_000_000.0);
        assertThat(config.ropeScaling()).isEqualTo(RopeScaling.none());
    }

    @Test
    void parsesLlama3ScalingInNewerRopeParameters() {
        Path folder = llamaVariant(c -> c.putObject("rope_parameters")
                .put("rope_theta", 500_000.0)
                .put("rope_type", "llama3")
                .put("factor", 32.0)
                .put("low_freq_factor", 1.0)
                .put("high_freq_factor", 4.0)
                .put("original_max_position_embeddings", 8192));

        ModelConfig config = ModelConfig.load(folder);

        assertThat(config.ropeTheta()).isEqualTo(500_000.0);
        assertThat(config.ropeScaling()).isEqualTo(RopeScaling.llama3(32.0, 1.0, 4.0, 8192));
    }

    @Test
    void defaultInverseFrequenciesFollowThetaPowers() {
        float[] inv = RopeScaling.none().inverseFrequencies(16, 10_000.0);

        assertThat(inv).hasSize(8);
        assertThat(inv[0]).isEqualTo(1.0f);
        // 10000^(-2/16) = 10^(-1/2)
        assertThat((double) inv[1]).isCloseTo(0.31622776601683794, within(1e-7));
        // 10000^(-14/16) = 10^(-3.5)
        assertThat((double) inv[7]).isCloseTo(3.1622776601683794e-4, within(1e-10));
    }

    @Test
    void linearScalingDividesEveryFrequencyByTheFactor() {
        float[] base = RopeScaling.none().inverseFrequencies(16, 10_000.0);
        float[] scaled = RopeScaling.linear(4.0).inverseFrequencies(16, 10_000.0);

        for (int i = 0; i < base.length; i++) {
            assertThat(scaled[i]).isEqualTo(base[i] / 4.0f);
        }
    }

    /*
     * headDim 128, theta 500000, factor 8, low 1, high 4, original context 8192:
     * wavelengths below 8192/4 = 2048 keep their frequency, above 8192/1 = 8192 are divided by 8.
     *   i=0:  inv = 1, wavelength 2*pi < 2048                        -> 1.0
     *   i=63: inv = 500000^(-126/128) = 2.45514e-6, wavelength 2.56e6 -> 2.45514e-6 / 8 = 3.06893e-7
     *   i=30: inv = 500000^(-60/128) = 2.13112e-3, wavelength 2948.30 (medium band)
     *         smooth = (8192 / 2948.30 - 1) / (4 - 1) = 0.592853
     *         result = (1 - smooth) * inv / 8 + smooth * inv = 1.37189e-3
     */
    @Test
    void llama3InverseFrequenciesMatchHandComputedValues() {
        float[] inv = RopeScaling.llama3(8.0, 1.0, 4.0, 8192).inverseFrequencies(128, 500_000.0);

        assertThat(inv).hasSize(64);
        assertThat(inv[0]).isEqualTo(1.0f);
        assertThat((double) inv[63]).isCloseTo(3.068925988914511e-07, within(3.07e-7 * 1e-5));
        assertThat((double) inv[30]).isCloseTo(0.0013718935677611381, within(1.37e-3 * 1e-5));
        assertThat((double) inv[33]).isCloseTo(0.00031269375038406517, within(3.13e-4 * 1e-5));
        float[] base = RopeScaling.none().inverseFrequencies(128, 500_000.0);
        assertThat(inv[10]).as("high-frequency band is untouched").isEqualTo(base[10]);
    }

    @Test
    void refusesUnknownArchitectureNamingFileAndField() {
        Path folder = llamaVariant(c -> c.putArray("architectures").add("FalconForCausalLM"));

        assertThatThrownBy(() -> ModelConfig.load(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(folder.resolve("config.json").toString())
                .hasMessageContaining("\"architectures\"")
                .hasMessageContaining("architecture \"FalconForCausalLM\"")
                .hasMessageContaining("(supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, GPT2LMHeadModel)");
    }

    @Test
    void refusesMissingFieldNamingIt() {
        Path folder = llamaVariant(c -> c.remove("num_attention_heads"));

        assertThatThrownBy(() -> ModelConfig.load(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(folder.resolve("config.json") + ": field \"num_attention_heads\" is missing");
    }

    @Test
    void refusesUnsupportedRopeTypeInRopeParameters() {
        Path folder = llamaVariant(c -> c.putObject("rope_parameters").put("rope_theta", 1e4).put("rope_type", "yarn"));

        assertThatThrownBy(() -> ModelConfig.load(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json: field \"rope_parameters.rope_type\" is \"yarn\", which is not supported");
    }

    @Test
    void refusesUnsupportedRopeTypeInOlderRopeScaling() {
        Path folder = llamaVariant(c -> {
            c.remove("rope_parameters");
            c.putObject("rope_scaling").put("type", "dynamic").put("factor", 2.0);
        });

        assertThatThrownBy(() -> ModelConfig.load(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("config.json: field \"rope_scaling.type\" is \"dynamic\"");
    }

    @Test
    void refusesLlama3ScalingWithoutItsParameters() {
        Path folder = llamaVariant(c -> {
            c.remove("rope_parameters");
            c.putObject("rope_scaling").put("rope_type", "llama3").put("factor", 8.0).put("low_freq_factor", 1.0)
                    .put("high_freq_factor", 4.0);
        });

        assertThatThrownBy(() -> ModelConfig.load(folder))
                .hasMessageContaining("field \"rope_scaling.original_max_position_embeddings\" is missing");
    }

    @Test
    void refusesWrongActivationNamingTheField() {
        Path llama = llamaVariant(c -> c.put("hidden_act", "gelu"));
        assertThatThrownBy(() -> ModelConfig.load(llama))
                .hasMessageContaining("config.json: field \"hidden_act\" is \"gelu\", but LlamaForCausalLM requires \"silu\"");

        ObjectNode gpt2 = readJson(fixture("gpt2-tiny").resolve("config.json"));
        gpt2.put("activation_function", "relu");
        Path folder = temp.resolve("gpt2");
        writeJson(folder.resolve("config.json"), gpt2);
        assertThatThrownBy(() -> ModelConfig.load(folder))
                .hasMessageContaining("config.json: field \"activation_function\" is \"relu\"");
    }

    @Test
    void refusesHeadCountsThatDoNotDivide() {
        Path kv = llamaVariant(c -> c.put("num_key_value_heads", 3));
        assertThatThrownBy(() -> ModelConfig.load(kv))
                .hasMessageContaining("field \"num_attention_heads\" (4) must be divisible by \"num_key_value_heads\" (3)");

        Path hidden = llamaVariant(c -> c.put("num_attention_heads", 5).put("num_key_value_heads", 5));
        assertThatThrownBy(() -> ModelConfig.load(hidden))
                .hasMessageContaining("field \"hidden_size\" (64) must be divisible by \"num_attention_heads\" (5)");
    }

    @Test
    void refusesNonPositiveAndNonIntegerSizes() {
        Path zero = llamaVariant(c -> c.put("vocab_size", 0));
        assertThatThrownBy(() -> ModelConfig.load(zero))
                .hasMessageContaining("config.json: field \"vocab_size\" must be positive (got 0)");

        Path text = llamaVariant(c -> c.put("hidden_size", "64"));
        assertThatThrownBy(() -> ModelConfig.load(text))
                .hasMessageContaining("config.json: field \"hidden_size\" must be an integer");
    }

    @Test
    void qwen2AlwaysHasAttentionBiasAndMistralKeepsItsWindow() {
        Path qwen = llamaVariant(c -> {
            c.putArray("architectures").add("Qwen2ForCausalLM");
            c.remove("attention_bias");
            c.put("sliding_window", 4096).put("use_sliding_window", false);
        });
        ModelConfig qwenConfig = ModelConfig.load(qwen);
        assertThat(qwenConfig.attentionBias()).isTrue();
        assertThat(qwenConfig.slidingWindow()).as("switched off by use_sliding_window").isNull();

        Path mistral = llamaVariant(c -> {
            c.putArray("architectures").add("MistralForCausalLM");
            c.put("sliding_window", 4096);
        });
        ModelConfig mistralConfig = ModelConfig.load(mistral);
        assertThat(mistralConfig.architecture()).isEqualTo(Architecture.LLAMA);
        assertThat(mistralConfig.attentionBias()).isFalse();
        assertThat(mistralConfig.slidingWindow()).isEqualTo(4096);
    }

    @Test
    void defaultsKvHeadsAndHeadDimWhenAbsent() {
        Path folder = llamaVariant(c -> {
            c.remove("num_key_value_heads");
            c.remove("head_dim");
            c.remove("tie_word_embeddings");
        });

        ModelConfig config = ModelConfig.load(folder);

        assertThat(config.numKvHeads()).isEqualTo(4);
        assertThat(config.headDim()).isEqualTo(16);
        assertThat(config.tieWordEmbeddings()).isFalse();
    }

    @Test
    void reportsMissingFolderAndBrokenJson() {
        Path missing = temp.resolve("nowhere");
        assertThatThrownBy(() -> ModelConfig.load(missing))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(missing + ": model folder does not exist");

        Path broken = temp.resolve("broken");
        writeString(broken.resolve("config.json"), "{\"hidden_size\": 64,");
        assertThatThrownBy(() -> ModelConfig.load(broken))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(broken.resolve("config.json") + ": is not valid JSON");

        Path empty = temp.resolve("empty");
        writeString(empty.resolve("other.txt"), "");
        assertThatThrownBy(() -> ModelConfig.load(empty))
                .hasMessage(empty.resolve("config.json") + ": file does not exist");
    }

    private Path llamaVariant(Consumer<ObjectNode> edit) {
        ObjectNode config = readJson(fixture("llama-tiny").resolve("config.json"));
        edit.accept(config);
        Path folder = temp.resolve("variant-" + System.nanoTime());
        writeJson(folder.resolve("config.json"), config);
        return folder;
    }
}
