package dev.braid.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Typed access to one JSON object of a checkpoint's metadata files. Every failure is reported as
 * a {@link ModelLoadException} that names the file and the dotted field path, which is what makes
 * a broken {@code config.json} fixable without a debugger.
 */
final class JsonFields {

    private static final JsonMapper MAPPER = JsonMapper.shared();

    private final Path file;
    private final JsonNode node;
    private final String prefix;

    private JsonFields(Path file, JsonNode node, String prefix) {
        this.file = file;
        this.node = node;
        this.prefix = prefix;
    }

    static JsonFields read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException(file + ": file does not exist");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot be read: " + e.getMessage(), e);
        }
        return parse(file, bytes, 0, bytes.length);
    }

    static JsonFields parse(Path file, byte[] bytes, int offset, int length) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes, offset, length);
        } catch (JacksonException e) {
            throw new ModelLoadException(file + ": is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": expected a JSON object at the top level");
        }
        return new JsonFields(file, root, "");
    }

    Path file() {
        return file;
    }

    JsonNode node() {
        return node;
    }

    /** Present and not JSON {@code null}: HF writes explicit nulls for "use the default". */
    boolean has(String name) {
        JsonNode value = node.get(name);
        return value != null && !value.isNull();
    }

    /** The nested object, or {@code null} when absent or JSON {@code null}. */
    JsonFields objectOrNull(String name) {
        if (!has(name)) {
            return null;
        }
        JsonNode value = node.get(name);
        if (!value.isObject()) {
            throw error(name, "must be an object");
        }
        return new JsonFields(file, value, prefix + name + ".");
    }

    int requireInt(String name) {
        if (!has(name)) {
            throw missing(name);
        }
        return intValue(name);
    }

    int intOr(String name, int fallback) {
        return has(name) ? intValue(name) : fallback;
    }

    Integer intOrNull(String name) {
        return has(name) ? intValue(name) : null;
    }

    long requireLong(String name) {
        if (!has(name)) {
            throw missing(name);
        }
        JsonNode value = node.get(name);
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw error(name, "must be an integer (got " + value + ")");
        }
        return value.longValue();
    }

    double requireDouble(String name) {
        if (!has(name)) {
            throw missing(name);
        }
        return doubleValue(name);
    }

    double doubleOr(String name, double fallback) {
        return has(name) ? doubleValue(name) : fallback;
    }

    Double doubleOrNull(String name) {
        return has(name) ? doubleValue(name) : null;
    }

    boolean booleanOr(String name, boolean fallback) {
        return has(name) ? booleanValue(name) : fallback;
    }

    Boolean booleanOrNull(String name) {
        return has(name) ? booleanValue(name) : null;
    }

    String requireString(String name) {
        if (!has(name)) {
            throw missing(name);
        }
        return stringValue(name);
    }

    String stringOr(String name, String fallback) {
        return has(name) ? stringValue(name) : fallback;
    }

    /** Accepts a single integer or a list of integers, as HF does for token id fields. */
    List<Integer> intListOrEmpty(String name) {
        if (!has(name)) {
            return List.of();
        }
        JsonNode value = node.get(name);
        if (value.isArray()) {
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                JsonNode element = value.get(i);
                if (!isInt(element)) {
                    throw error(name, "must be an integer or a list of integers (element " + i + " is " + element + ")");
                }
                ids.add(toInt(element));
            }
            return List.copyOf(ids);
        }
        if (!isInt(value)) {
            throw error(name, "must be an integer or a list of integers (got " + value + ")");
        }
        return List.of(toInt(value));
    }

    ModelLoadException missing(String name) {
        return error(name, "is missing");
    }

    ModelLoadException error(String name, String problem) {
        return new ModelLoadException(file + ": field \"" + prefix + name + "\" " + problem);
    }

    String qualified(String name) {
        return prefix + name;
    }

    private int intValue(String name) {
        JsonNode value = node.get(name);
        if (!isInt(value)) {
            throw error(name, "must be an integer (got " + value + ")");
        }
        return toInt(value);
    }

    private static int toInt(JsonNode value) {
        return value.isIntegralNumber() ? value.intValue() : (int) value.doubleValue();
    }

    /** Some exporters write integral values as {@code 64.0}; those are accepted, 64.5 is not. */
    private static boolean isInt(JsonNode value) {
        if (value.isIntegralNumber()) {
            return value.canConvertToInt();
        }
        if (value.isFloatingPointNumber()) {
            double d = value.doubleValue();
            return d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE;
        }
        return false;
    }

    private double doubleValue(String name) {
        JsonNode value = node.get(name);
        if (!value.isNumber()) {
            throw error(name, "must be a number (got " + value + ")");
        }
        return value.doubleValue();
    }

    private boolean booleanValue(String name) {
        JsonNode value = node.get(name);
        if (!value.isBoolean()) {
            throw error(name, "must be true or false (got " + value + ")");
        }
        return value.booleanValue();
    }

    private String stringValue(String name) {
        JsonNode value = node.get(name);
        if (!value.isString()) {
            throw error(name, "must be a string (got " + value + ")");
        }
        return value.stringValue();
    }
}
