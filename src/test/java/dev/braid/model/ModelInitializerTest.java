package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelInitializerTest {

    private static final RandomLlamaSpec SMALL = new RandomLlamaSpec(300, 32, 2, 4, 2, 64, 128);

    @TempDir
    Path temp;

    @Test
    void writesAFolderThatLoadsAsALlamaCheckpoint() {
        Path folder = temp.resolve("random");
        ModelInitializer.writeRandomLlama(folder, SMALL, 7);

        ModelConfig config = ModelConfig.load(folder);
        assertThat(config).isEqualTo(new ModelConfig(Architecture.LLAMA, 300, 32, 2, 4, 2, 8, 64, 128,
                1e-5f, 10_000.0, RopeScaling.none(), false, false, false, "silu", null));

        try (Checkpoint checkpoint = Checkpoint.open(folder); NDManager manager = NDManager.newBaseManager()) {
            assertThat(checkpoint.names()).hasSize(2 + 2 * 9 + 1);
            assertThat(checkpoint.load("model.embed_tokens.weight", manager).getShape()).isEqualTo(new Shape(300, 32));
            assertThat(checkpoint.load("lm_head.weight", manager).getShape()).isEqualTo(new Shape(300, 32));
            assertThat(checkpoint.info("model.layers.1.self_attn.q_proj.weight").shape()).containsExactly(32, 32);
            assertThat(checkpoint.info("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(16, 32);
            assertThat(checkpoint.info("model.layers.0.self_attn.v_proj.weight").shape()).containsExactly(16, 32);
            assertThat(checkpoint.info("model.layers.0.self_attn.o_proj.weight").shape()).containsExactly(32, 32);
            assertThat(checkpoint.info("model.layers.0.mlp.gate_proj.weight").shape()).containsExactly(64, 32);
            assertThat(checkpoint.info("model.layers.0.mlp.up_proj.weight").shape()).containsExactly(64, 32);
            assertThat(checkpoint.info("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(32, 64);
            assertThat(checkpoint.readFloat32("model.layers.1.input_layernorm.weight")).containsOnly(1.0f).hasSize(32);
            assertThat(checkpoint.readFloat32("model.norm.weight")).containsOnly(1.0f);

            long total = checkpoint.names().stream().mapToLong(name -> checkpoint.info(name).numel()).sum();
            assertThat(total).isEqualTo(SMALL.parameterCount());

            float[] embed = checkpoint.readFloat32("model.embed_tokens.weight");
            double mean = 0;
            double square = 0;
            for (float v : embed) {
                mean += v;
                square += (double) v * v;
            }
            mean /= embed.length;
            double std = Math.sqrt(square / embed.length - mean * mean);
            assertThat(mean).isCloseTo(0.0, within(0.002));
            assertThat(std).isCloseTo(0.02, within(0.001));
        }
    }

    @Test
    void writesTokenIdsAndTokenizerSettings() {
        Path folder = temp.resolve("random");
        ModelInitializer.writeRandomLlama(folder, SMALL, 7);

        GenerationConfig generation = GenerationConfig.load(folder);
        assertThat(generation.bosTokenId()).isEqualTo(1);
        assertThat(generation.eosTokenIds()).containsExactly(2);

        TokenizerConfig tokenizer = TokenizerConfig.load(folder);
        assertThat(tokenizer.bosToken()).isEqualTo("<s>");
        assertThat(tokenizer.eosToken()).isEqualTo("</s>");
        assertThat(tokenizer.modelMaxLength()).isEqualTo(128);
    }

    @Test
    void sameSeedGivesIdenticalWeightsAndOtherSeedsDiffer() throws IOException {
        ModelInitializer.writeRandomLlama(temp.resolve("a"), SMALL, 42);
        ModelInitializer.writeRandomLlama(temp.resolve("b"), SMALL, 42);
        ModelInitializer.writeRandomLlama(temp.resolve("c"), SMALL, 43);

        byte[] a = Files.readAllBytes(temp.resolve("a/model.safetensors"));
        assertThat(Files.readAllBytes(temp.resolve("b/model.safetensors"))).isEqualTo(a);
        assertThat(Files.readAllBytes(temp.resolve("c/model.safetensors"))).isNotEqualTo(a);
    }

    @Test
    void djlTokenizerRoundTripsUnicodeThroughTheByteLevelVocabulary() throws IOException {
        Path folder = temp.resolve("random");
        ModelInitializer.writeRandomLlama(folder, SMALL, 7);

        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(folder.resolve("tokenizer.json"))) {
            String text = "Hello, wörld!";
            Encoding encoding = tokenizer.encode(text);

            // One id per UTF-8 byte, offset by the three special tokens; "ö" is the two bytes C3 B6.
            assertThat(encoding.getIds()).containsExactly(
                    75, 104, 111, 111, 114, 47, 35, 122, 198, 185, 117, 111, 103, 36);
            assertThat(tokenizer.decode(encoding.getIds())).isEqualTo(text);

            assertThat(tokenizer.encode("<s>hi</s>").getIds()).containsExactly(1, 107, 108, 2);
        }
    }

    @Test
    void byteSymbolsFollowGpt2Mapping() {
        String[] symbols = ByteLevelTokenizerJson.byteSymbols();

        assertThat(symbols).doesNotHaveDuplicates();
        assertThat(symbols['A']).isEqualTo("A");
        assertThat(symbols[' ']).isEqualTo("\u0120");
        assertThat(symbols['\n']).isEqualTo("\u010A");
        assertThat(symbols[0]).isEqualTo("\u0100");
        assertThat(symbols[0xAD]).isEqualTo("\u0143");
        assertThat(symbols[0xE9]).isEqualTo("\u00E9");
    }

    @Test
    void picksSensibleShapesForParameterBudgets() {
        RandomLlamaSpec small = RandomLlamaSpec.forParameterCount(25_000_000);
        assertThat(small).isEqualTo(new RandomLlamaSpec(4096, 512, 7, 8, 8, 1376, 2048));
        assertThat(small.parameterCount()).isEqualTo(26_336_768L);

        RandomLlamaSpec large = RandomLlamaSpec.forParameterCount(1_000_000_000);
        assertThat(large.hiddenSize()).isEqualTo(2048);
        assertThat(large.headDim()).isEqualTo(64);
        assertThat((double) large.parameterCount()).isCloseTo(1e9, within(0.05e9));

        RandomLlamaSpec tiny = RandomLlamaSpec.forParameterCount(1);
        assertThat(tiny.hiddenSize()).isEqualTo(64);
        assertThat(tiny.numLayers()).isEqualTo(1);
    }

    @Test
    void refusesSpecsTheTokenizerOrAttentionCannotUse() {
        assertThatThrownBy(() -> new RandomLlamaSpec(100, 32, 2, 4, 2, 64, 128))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("vocabSize must be at least 259 to hold the byte-level tokenizer's ids, got 100");
        assertThatThrownBy(() -> new RandomLlamaSpec(300, 32, 2, 4, 3, 64, 128))
                .hasMessage("numHeads 4 is not divisible by numKvHeads 3");
        assertThatThrownBy(() -> RandomLlamaSpec.forParameterCount(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void specialTokensListedInTokenizerJsonMatchTheGenerationIds() {
        assertThat(ByteLevelTokenizerJson.SPECIAL_TOKENS).isEqualTo(List.of("<|endoftext|>", "<s>", "</s>"));
        assertThat(ByteLevelTokenizerJson.SPECIAL_TOKENS.get(ModelInitializer.EOS_TOKEN_ID)).isEqualTo("</s>");
    }
}
