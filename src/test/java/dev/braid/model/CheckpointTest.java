package dev.braid.model;

import static dev.braid.model.LoaderFixtures.copyFixture;
import static dev.braid.model.LoaderFixtures.fixture;
import static dev.braid.model.LoaderFixtures.readJson;
import static dev.braid.model.LoaderFixtures.writeJson;
import static dev.braid.model.LoaderFixtures.writeString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.node.ObjectNode;

class CheckpointTest {

    private static final String SHARDED = "llama-tiny-sharded-bf16";

    @TempDir
    Path temp;

    @Test
    void opensSingleFileCheckpoint() {
        try (Checkpoint checkpoint = Checkpoint.open(fixture("llama-tiny"));
             NDManager manager = NDManager.newBaseManager()) {
            assertThat(checkpoint.names()).hasSize(21).first().isEqualTo("lm_head.weight");
            assertThat(checkpoint.has("model.embed_tokens.weight")).isTrue();
            assertThat(checkpoint.has("model.embed_tokens.bias")).isFalse();
            NDArray k = checkpoint.load("model.layers.1.self_attn.k_proj.weight", manager);
            assertThat(k.getShape()).isEqualTo(new Shape(32, 64));
        }
    }

    @Test
    void opensShardedBf16CheckpointAsFloat32() {
        try (Checkpoint sharded = Checkpoint.open(fixture(SHARDED));
             Checkpoint single = Checkpoint.open(fixture("llama-tiny"));
             NDManager manager = NDManager.newBaseManager()) {
            assertThat(sharded.names()).isEqualTo(single.names());
            assertThat(sharded.info("lm_head.weight").dtype()).isEqualTo(SafetensorsDtype.BF16);

            NDArray lmHead = sharded.load("lm_head.weight", manager);
            assertThat(lmHead.getShape()).isEqualTo(new Shape(512, 64));
            assertThat(lmHead.getDataType()).isEqualTo(DataType.FLOAT32);
            NDArray norm = sharded.load("model.layers.1.post_attention_layernorm.weight", manager);
            assertThat(norm.getShape()).isEqualTo(new Shape(64));
            assertThat(norm.toFloatArray()).containsExactly(sharded.readFloat32("model.layers.1.post_attention_layernorm.weight"));
        }
    }

    @Test
    void reportsMissingTensorNamingTensorAndFolder() {
        Path folder = fixture("llama-tiny");
        try (Checkpoint checkpoint = Checkpoint.open(folder); NDManager manager = NDManager.newBaseManager()) {
            assertThatThrownBy(() -> checkpoint.load("model.layers.7.mlp.up_proj.weight", manager))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessage("tensor \"model.layers.7.mlp.up_proj.weight\" not found in checkpoint " + folder);
        }
    }

    @Test
    void reportsMissingFolder() {
        Path missing = temp.resolve("does-not-exist");

        assertThatThrownBy(() -> Checkpoint.open(missing))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(missing + ": model folder does not exist");
    }

    @Test
    void reportsPlainFileInsteadOfFolder() throws IOException {
        Path file = Files.writeString(temp.resolve("model.txt"), "x");

        assertThatThrownBy(() -> Checkpoint.open(file))
                .hasMessage(file + ": is not a directory (expected a model folder)");
    }

    @Test
    void reportsFolderWithoutWeights() {
        Path folder = temp.resolve("config-only");
        writeString(folder.resolve("config.json"), "{}");

        assertThatThrownBy(() -> Checkpoint.open(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(folder + ": no weights found (expected model.safetensors or model.safetensors.index.json)");

        writeString(folder.resolve("pytorch_model.bin"), "pickle");
        assertThatThrownBy(() -> Checkpoint.open(folder))
                .hasMessageEndingWith("; found pytorch_model.bin, which is not supported: convert it to safetensors");
    }

    @Test
    void reportsIndexPointingAtMissingShard() throws IOException {
        Path folder = copyFixture(SHARDED, temp.resolve("sharded"));
        Files.delete(folder.resolve("model-00004-of-00004.safetensors"));

        assertThatThrownBy(() -> Checkpoint.open(folder))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(folder.resolve("model.safetensors.index.json") + ": weight_map entry \"lm_head.weight\""
                        + " points at shard \"model-00004-of-00004.safetensors\", which does not exist in " + folder);
    }

    @Test
    void reportsIndexPlacingTensorInTheWrongShard() {
        Path folder = copyFixture(SHARDED, temp.resolve("sharded"));
        Path index = folder.resolve("model.safetensors.index.json");
        ObjectNode json = readJson(index);
        ((ObjectNode) json.get("weight_map")).put("model.norm.weight", "model-00001-of-00004.safetensors");
        writeJson(index, json);

        assertThatThrownBy(() -> Checkpoint.open(folder))
                .hasMessage(index + ": weight_map places tensor \"model.norm.weight\" in shard"
                        + " \"model-00001-of-00004.safetensors\", but that shard does not contain it");
    }

    @Test
    void refusesShardOutsideTheFolderAndIndexWithoutWeightMap() {
        Path folder = copyFixture(SHARDED, temp.resolve("sharded"));
        Path index = folder.resolve("model.safetensors.index.json");
        ObjectNode json = readJson(index);
        ((ObjectNode) json.get("weight_map")).put("lm_head.weight", "../elsewhere.safetensors");
        writeJson(index, json);
        assertThatThrownBy(() -> Checkpoint.open(folder))
                .hasMessageContaining("weight_map entry \"lm_head.weight\" names shard \"../elsewhere.safetensors\","
                        + " which is outside the model folder");

        writeString(index, "{\"metadata\": {}}");
        assertThatThrownBy(() -> Checkpoint.open(folder))
                .hasMessage(index + ": field \"weight_map\" is missing");
    }

    @Test
    void readsAfterCloseFailWithAClearError() {
        Checkpoint checkpoint = Checkpoint.open(fixture("llama-tiny"));
        checkpoint.close();

        assertThatThrownBy(() -> checkpoint.readFloat32("model.norm.weight"))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tensor \"model.norm.weight\" cannot be read");
    }
}
