package dev.braid.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Writes float32 safetensors files that Hugging Face and {@link SafetensorsFile} both read.
 * Tensors are laid out in the iteration order of the given map. The file appears atomically.
 */
public final class SafetensorsWriter {

    /** Supplies one tensor's values when the writer reaches it, so only one is in memory at a time. */
    @FunctionalInterface
    public interface TensorSource {
        float[] values(String name, long[] shape);
    }

    private static final int BUFFER_BYTES = 1 << 20;
    /** The format pads the header so the data region starts 8-byte aligned. */
    private static final int HEADER_ALIGNMENT = 8;

    private SafetensorsWriter() {
    }

    /**
     * @throws IllegalArgumentException if a tensor has no shape or its length does not match it
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes) {
        for (var entry : tensors.entrySet()) {
            long[] shape = shapes.get(entry.getKey());
            if (shape == null) {
                throw new IllegalArgumentException("tensor \"" + entry.getKey() + "\" has no shape");
            }
            checkLength(entry.getKey(), shape, entry.getValue().length);
        }
        Map<String, long[]> ordered = new LinkedHashMap<>();
        tensors.keySet().forEach(name -> ordered.put(name, shapes.get(name)));
        write(file, ordered, (name, shape) -> tensors.get(name));
    }

    /**
     * Streams tensors from {@code source} in the iteration order of {@code shapes}.
     *
     * @throws IllegalArgumentException if the source returns an array whose length does not match
     * @throws java.io.UncheckedIOException if the file cannot be written
     */
    public static void write(Path file, Map<String, long[]> shapes, TensorSource source) {
        byte[] header = header(shapes);
        AtomicFiles.write(file, channel -> {
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            buffer.putLong(header.length);
            buffer.flip();
            AtomicFiles.writeFully(channel, buffer);
            AtomicFiles.writeFully(channel, ByteBuffer.wrap(header));
            for (var entry : shapes.entrySet()) {
                float[] values = source.values(entry.getKey(), entry.getValue().clone());
                checkLength(entry.getKey(), entry.getValue(), values.length);
                writeFloats(channel, buffer, values);
            }
        });
    }

    private static byte[] header(Map<String, long[]> shapes) {
        ObjectNode root = JsonMapper.shared().createObjectNode();
        root.putObject("__metadata__").put("format", "pt");
        long offset = 0;
        for (var entry : shapes.entrySet()) {
            String name = entry.getKey();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new IllegalArgumentException("invalid tensor name \"" + name + "\"");
            }
            long[] shape = entry.getValue();
            long bytes = Math.multiplyExact(numel(name, shape), (long) Float.BYTES);
            ObjectNode tensor = root.putObject(name);
            tensor.put("dtype", SafetensorsDtype.F32.name());
            ArrayNode dims = tensor.putArray("shape");
            for (long d : shape) {
                dims.add(d);
            }
            tensor.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = JsonMapper.shared().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + HEADER_ALIGNMENT - 1) / HEADER_ALIGNMENT * HEADER_ALIGNMENT;
        byte[] header = Arrays.copyOf(json, padded);
        Arrays.fill(header, json.length, padded, (byte) ' ');
        return header;
    }

    private static long numel(String name, long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException("tensor \"" + name + "\" has no shape");
        }
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor \"" + name + "\" has a negative dimension in " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private static void checkLength(String name, long[] shape, int length) {
        long expected = numel(name, shape);
        if (expected != length) {
            throw new IllegalArgumentException("tensor \"" + name + "\" has " + length + " values but shape "
                    + Arrays.toString(shape) + " needs " + expected);
        }
    }

    private static void writeFloats(FileChannel channel, ByteBuffer buffer, float[] values) throws IOException {
        int perBuffer = buffer.capacity() / Float.BYTES;
        for (int done = 0; done < values.length; done += perBuffer) {
            buffer.clear();
            buffer.asFloatBuffer().put(values, done, Math.min(perBuffer, values.length - done));
            buffer.limit(Math.min(perBuffer, values.length - done) * Float.BYTES);
            AtomicFiles.writeFully(channel, buffer);
        }
    }
}
