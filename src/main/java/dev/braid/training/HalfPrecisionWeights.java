package dev.braid.training;

import dev.braid.model.Checkpoint;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes a safetensors file in float16. The fine-tuned models ship inside the jar next to
 * braid-base; at half the size of float32 the bundle stays small. The loader widens F16 to
 * float32 exactly, and every strategy runs on those same widened weights, so Jacobi's output is
 * still the AR output of the shipped model.
 */
final class HalfPrecisionWeights {

    private HalfPrecisionWeights() {
    }

    /** Tensors by name (file order is {@code shapes}' order): their shapes and float32 values. */
    static void write(Path folder, Map<String, long[]> shapes, Map<String, float[]> values) {
        ObjectNode header = JsonMapper.shared().createObjectNode();
        header.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (var entry : shapes.entrySet()) {
            long bytes = 2L * values.get(entry.getKey()).length;
            ObjectNode tensor = header.putObject(entry.getKey());
            tensor.put("dtype", "F16");
            var dims = tensor.putArray("shape");
            Arrays.stream(entry.getValue()).forEach(dims::add);
            tensor.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JsonMapper.shared().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        // the data must start 8-byte aligned; the format pads the header with spaces
        byte[] padded = Arrays.copyOf(json, (json.length + 7) / 8 * 8);
        Arrays.fill(padded, json.length, padded.length, (byte) ' ');
        Path file = folder.resolve(Checkpoint.SINGLE_FILE);
        Path partial = folder.resolve(Checkpoint.SINGLE_FILE + ".partial");
        try (OutputStream out = Files.newOutputStream(partial)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded.length).array());
            out.write(padded);
            for (String name : shapes.keySet()) {
                float[] v = values.get(name);
                ByteBuffer data = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                for (float f : v) {
                    data.putShort(Float.floatToFloat16(f));
                }
                out.write(data.array());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        try {
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Rewrites a float32 model folder's weights in float16 (what {@code train} does for the fine-tunes). */
    static void convert(Path folder) {
        try (var file = dev.braid.model.SafetensorsFile.open(folder.resolve(Checkpoint.SINGLE_FILE))) {
            Map<String, long[]> shapes = new LinkedHashMap<>();
            Map<String, float[]> values = new LinkedHashMap<>();
            for (String name : file.names()) {
                shapes.put(name, file.info(name).shape());
                values.put(name, file.readFloat32(name));
            }
            write(folder, shapes, values);
        }
    }
}
