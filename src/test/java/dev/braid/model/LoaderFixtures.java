package dev.braid.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Test helpers shared by the checkpoint-loading tests. */
final class LoaderFixtures {

    private LoaderFixtures() {
    }

    static Path fixture(String name) {
        URL url = LoaderFixtures.class.getResource("/hf-tiny/" + name);
        if (url == null) {
            throw new IllegalStateException("test resource hf-tiny/" + name + " is missing");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy, for tests that break a fixture on purpose. */
    static Path copyFixture(String name, Path target) {
        Path source = fixture(name);
        try (Stream<Path> files = Files.list(source)) {
            Files.createDirectories(target);
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return target;
    }

    static ObjectNode readJson(Path file) {
        return (ObjectNode) JsonMapper.shared().readTree(file);
    }

    static void writeJson(Path file, ObjectNode node) {
        writeString(file, JsonMapper.shared().writeValueAsString(node));
    }

    static void writeString(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A safetensors file from a literal header and raw data, for headers no writer would produce. */
    static Path rawSafetensors(Path file, long declaredHeaderLength, String header, byte[] data) {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(declaredHeaderLength).put(json).put(data);
        try {
            Files.write(file, buffer.array());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    static Path rawSafetensors(Path file, String header, byte[] data) {
        return rawSafetensors(file, header.getBytes(StandardCharsets.UTF_8).length, header, data);
    }

    static byte[] littleEndianShorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buffer.putShort((short) v);
        }
        return buffer.array();
    }
}
