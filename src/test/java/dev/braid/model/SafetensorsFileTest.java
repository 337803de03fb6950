package dev.braid.model;

import static dev.braid.model.LoaderFixtures.fixture;
import static dev.braid.model.LoaderFixtures.littleEndianShorts;
import static dev.braid.model.LoaderFixtures.rawSafetensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

    @TempDir
    Path temp;

    @Test
    void readsLlamaTinyShapesAndValues() {
        try (SafetensorsFile file = SafetensorsFile.open(fixture("llama-tiny").resolve("model.safetensors"))) {
            assertThat(file.names()).hasSize(21).contains("lm_head.weight", "model.norm.weight");
            assertThat(file.info("model.layers.0.self_attn.q_proj.weight"))
                    .isEqualTo(new TensorInfo("model.layers.0.self_attn.q_proj.weight", SafetensorsDtype.F32, new long[] {64, 64}));
            assertThat(file.info("model.layers.1.self_attn.k_proj.weight").shape()).containsExactly(32, 64);
            assertThat(file.info("model.layers.0.mlp.down_proj.weight").shape()).containsExactly(64, 176);
            assertThat(file.info("model.norm.weight").shape()).containsExactly(64);

            float[] embed = file.readFloat32("model.embed_tokens.weight");
            assertThat(embed).hasSize(512 * 64);
            // Values decoded independently from the fixture bytes with Python's struct module.
            assertThat(embed[0]).isEqualTo(0.009804547764360905f);
            assertThat(embed[1]).isEqualTo(-0.02095351554453373f);
            assertThat(embed[2]).isEqualTo(0.00026162105496041477f);
        }
    }

    @Test
    void readsGpt2TinyConv1dLayout() {
        try (SafetensorsFile file = SafetensorsFile.open(fixture("gpt2-tiny").resolve("model.safetensors"))) {
            assertThat(file.names()).hasSize(28);
            assertThat(file.info("transformer.h.0.attn.c_attn.weight").shape()).containsExactly(64, 192);
            assertThat(file.info("transformer.h.1.mlp.c_proj.weight").shape()).containsExactly(256, 64);
            assertThat(file.info("transformer.wpe.weight").shape()).containsExactly(256, 64);
            assertThat(file.info("transformer.ln_f.bias").shape()).containsExactly(64);
        }
    }

    @Test
    void loadsAsFloat32NdArrayOfTheDeclaredShape() {
        try (SafetensorsFile file = SafetensorsFile.open(fixture("llama-tiny").resolve("model.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            NDArray array = file.load("model.layers.0.mlp.gate_proj.weight", manager);

            assertThat(array.getShape()).isEqualTo(new Shape(176, 64));
            assertThat(array.getDataType()).isEqualTo(DataType.FLOAT32);
            assertThat(array.toFloatArray()).containsExactly(file.readFloat32("model.layers.0.mlp.gate_proj.weight"));
        }
    }

    /*
     * The bf16 fixture is a separately trained model, not a bf16 rounding of llama-tiny (its
     * weights differ by up to 0.9), so it is checked against its own bytes instead.
     */
    @Test
    void widensBf16ShardExactly() {
        Path shard = fixture("llama-tiny-sharded-bf16").resolve("model-00001-of-00004.safetensors");
        try (SafetensorsFile file = SafetensorsFile.open(shard)) {
            assertThat(file.info("model.embed_tokens.weight"))
                    .isEqualTo(new TensorInfo("model.embed_tokens.weight", SafetensorsDtype.BF16, new long[] {512, 64}));

            float[] embed = file.readFloat32("model.embed_tokens.weight");

            // Values decoded independently from the fixture bytes with Python's struct module.
            assertThat(embed).startsWith(-0.00665283203125f, 5.91278076171875e-05f, 0.0203857421875f,
                    -0.014892578125f, -0.01324462890625f);
            for (float value : embed) {
                assertThat(Float.floatToRawIntBits(value) & 0xFFFF).as("a widened bf16 has no low mantissa bits").isZero();
            }
        }
    }

    @Test
    void widensF16WithIeeeHalfSemantics() {
        Path file = rawSafetensors(temp.resolve("half.safetensors"),
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,8]}}",
                littleEndianShorts(0x3C00, 0xC000, 0x3800, 0x7BFF));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.readFloat32("h")).containsExactly(1.0f, -2.0f, 0.5f, 65504.0f);
        }
    }

    @Test
    void refusesToConvertNonFloatDtypesNamingTensorAndDtype() {
        Path file = rawSafetensors(temp.resolve("ints.safetensors"),
                "{\"__metadata__\":{\"format\":\"pt\"},\"position_ids\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                new byte[8]);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.info("position_ids").dtype()).isEqualTo(SafetensorsDtype.I64);
            assertThatThrownBy(() -> st.readFloat32("position_ids"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessage(file + ": tensor \"position_ids\" has dtype I64, which is not supported (supported: F32, F16, BF16)");
        }
    }

    @Test
    void refusesUnknownDtypeNamingTensor() {
        Path file = rawSafetensors(temp.resolve("odd.safetensors"),
                "{\"w\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": tensor \"w\" has unknown dtype \"F99\"");
    }

    @Test
    void refusesTruncatedFileNamingFileAndFirstTensorCut() throws IOException {
        Path copy = temp.resolve("model.safetensors");
        Files.copy(fixture("llama-tiny").resolve("model.safetensors"), copy);
        long half = Files.size(copy) / 2;
        try (RandomAccessFile raf = new RandomAccessFile(copy.toFile(), "rw")) {
            raf.setLength(half);
        }

        // 317108 bytes - 8 - 2144 header bytes leave 314956; gate_proj ends at 352512.
        assertThatThrownBy(() -> SafetensorsFile.open(copy))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(copy + ": tensor \"model.layers.0.mlp.gate_proj.weight\"")
                .hasMessageContaining("beyond the end of the data region (314956 bytes)")
                .hasMessageContaining("truncated");
    }

    @Test
    void refusesHeaderLengthLargerThanFile() {
        Path file = rawSafetensors(temp.resolve("liar.safetensors"), 9_999_999L, "{}", new byte[98]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": header length 9999999 exceeds file size 108");
    }

    @Test
    void refusesHeaderLengthAboveTheLimitEvenWhenTheFileIsLargeEnough() throws IOException {
        Path file = temp.resolve("huge.safetensors");
        long declared = SafetensorsFile.MAX_HEADER_BYTES + 1;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(declared).array());
            raf.setLength(declared + 16); // sparse: no real disk space used
        }

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": header length " + declared + " exceeds the limit of 104857600 bytes");
    }

    @Test
    void refusesDataOffsetsBeyondTheEndNamingTensor() {
        Path file = rawSafetensors(temp.resolve("short.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[8]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith(file + ": tensor \"w\" has data_offsets [0, 16] beyond the end of the data region (8 bytes)");
    }

    @Test
    void refusesShapeThatDoesNotMatchByteLengthNamingTensor() {
        Path file = rawSafetensors(temp.resolve("shape.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}", new byte[16]);

        assertThatThrownBy(() -> SafetensorsFile.open(file))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": tensor \"w\" has shape [3] of F32 (12 bytes) but data_offsets [0, 16] span 16 bytes");
    }

    @Test
    void refusesMalformedHeaders() throws IOException {
        Path json = rawSafetensors(temp.resolve("json.safetensors"), "{\"w\":", new byte[0]);
        assertThatThrownBy(() -> SafetensorsFile.open(json))
                .hasMessageStartingWith(json + ": header is not valid JSON");

        Path reversed = rawSafetensors(temp.resolve("reversed.safetensors"),
                "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]);
        assertThatThrownBy(() -> SafetensorsFile.open(reversed))
                .hasMessage(reversed + ": tensor \"w\" has data_offsets [4, 0] that end before they begin");

        Path tiny = temp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[3]);
        assertThatThrownBy(() -> SafetensorsFile.open(tiny))
                .hasMessage(tiny + ": file is 3 bytes, too short to hold a safetensors header");
    }

    @Test
    void reportsMissingTensorNamingFile() {
        Path file = fixture("llama-tiny").resolve("model.safetensors");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThatThrownBy(() -> st.info("nope"))
                    .isInstanceOf(ModelLoadException.class)
                    .hasMessage(file + ": tensor \"nope\" not found");
        }
    }

    @Test
    void writerRoundTripsInOrderWithAlignedHeader() throws IOException {
        Map<String, float[]> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", new float[] {1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, -0.0f, 7f});
        tensors.put("a.bias", new float[] {0.125f, 42f});
        Map<String, long[]> shapes = Map.of("b.weight", new long[] {2, 3}, "a.bias", new long[] {2});
        Path file = temp.resolve("out").resolve("weights.safetensors");

        SafetensorsWriter.write(file, tensors, shapes);

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("b.weight", "a.bias");
            assertThat(st.info("b.weight")).isEqualTo(new TensorInfo("b.weight", SafetensorsDtype.F32, new long[] {2, 3}));
            assertThat(st.readFloat32("b.weight")).containsExactly(1.5f, -2.25f, 3e-8f, Float.MAX_VALUE, -0.0f, 7f);
            assertThat(st.readFloat32("a.bias")).containsExactly(0.125f, 42f);
        }
        long headerLength = ByteBuffer.wrap(Files.readAllBytes(file), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        assertThat(Files.size(file)).isEqualTo(8 + headerLength + 8L * 4);
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString()).toList())
                    .as("no temp file left behind").containsExactly("weights.safetensors");
        }
    }

    @Test
    void writerRefusesMismatchedLengthAndLeavesNoFile() throws IOException {
        Path file = temp.resolve("bad.safetensors");
        Map<String, float[]> tensors = new LinkedHashMap<>();
        tensors.put("w", new float[5]);

        assertThatThrownBy(() -> SafetensorsWriter.write(file, tensors, Map.of("w", new long[] {2, 3})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tensor \"w\" has 5 values but shape [2, 3] needs 6");
        assertThat(file).doesNotExist();

        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("w", new long[] {2});
        assertThatThrownBy(() -> SafetensorsWriter.write(file, shapes, (name, shape) -> new float[3]))
                .isInstanceOf(IllegalArgumentException.class);
        try (var listing = Files.list(temp)) {
            assertThat(listing.toList()).as("temp file removed after a failed write").isEmpty();
        }
    }

    @Test
    void writerReplacesAnExistingFile() {
        Path file = temp.resolve("w.safetensors");
        Map<String, float[]> first = new LinkedHashMap<>();
        first.put("x", new float[] {1f});
        SafetensorsWriter.write(file, first, Map.of("x", new long[] {1}));
        Map<String, float[]> second = new LinkedHashMap<>();
        second.put("y", new float[] {2f, 3f});
        SafetensorsWriter.write(file, second, Map.of("y", new long[] {2}));

        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertThat(st.names()).containsExactly("y");
            assertThat(st.readFloat32("y")).containsExactly(2f, 3f);
        }
    }
}
