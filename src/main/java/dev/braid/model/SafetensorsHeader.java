package dev.braid.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON header of a safetensors file, checked against the size of the data region that
 * follows it. A header that lies about offsets or sizes is rejected here rather than turning
 * into out-of-bounds reads or silently misaligned weights later.
 */
final class SafetensorsHeader {

    /** Where a tensor's bytes live, relative to the start of the data region. */
    record Slot(TensorInfo info, long begin, long end) {
    }

    private static final String METADATA_KEY = "__metadata__";

    private SafetensorsHeader() {
    }

    static Map<String, Slot> parse(Path file, byte[] json, long dataRegionBytes) {
        JsonNode root;
        try {
            root = JsonMapper.shared().readTree(json);
        } catch (JacksonException e) {
            throw new ModelLoadException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException(file + ": header must be a JSON object");
        }
        Map<String, Slot> slots = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!entry.getKey().equals(METADATA_KEY)) {
                slots.put(entry.getKey(), slot(file, entry.getKey(), entry.getValue(), dataRegionBytes));
            }
        }
        return Collections.unmodifiableMap(slots);
    }

    private static Slot slot(Path file, String name, JsonNode node, long dataRegionBytes) {
        String where = file + ": tensor \"" + name + "\"";
        if (!node.isObject()) {
            throw new ModelLoadException(where + " must be described by a JSON object");
        }
        SafetensorsDtype dtype = dtype(where, node.get("dtype"));
        long[] shape = longs(where, "shape", node.get("shape"));
        long[] offsets = longs(where, "data_offsets", node.get("data_offsets"));
        if (offsets.length != 2) {
            throw new ModelLoadException(where + " has " + offsets.length + " data_offsets, expected [begin, end]");
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new ModelLoadException(where + " has data_offsets " + Arrays.toString(offsets) + " that end before they begin");
        }
        if (end > dataRegionBytes) {
            throw new ModelLoadException(where + " has data_offsets " + Arrays.toString(offsets)
                    + " beyond the end of the data region (" + dataRegionBytes + " bytes); the file may be truncated");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape);
        long expected;
        try {
            expected = info.byteSize();
        } catch (ArithmeticException e) {
            throw new ModelLoadException(where + " has shape " + Arrays.toString(shape) + ", which overflows a 64-bit size");
        }
        if (end - begin != expected) {
            throw new ModelLoadException(where + " has shape " + Arrays.toString(shape) + " of " + dtype + " ("
                    + expected + " bytes) but data_offsets " + Arrays.toString(offsets) + " span " + (end - begin) + " bytes");
        }
        return new Slot(info, begin, end);
    }

    private static SafetensorsDtype dtype(String where, JsonNode node) {
        if (node == null || !node.isString()) {
            throw new ModelLoadException(where + " has no \"dtype\" string");
        }
        SafetensorsDtype dtype = SafetensorsDtype.fromName(node.stringValue());
        if (dtype == null) {
            throw new ModelLoadException(where + " has unknown dtype \"" + node.stringValue() + "\"");
        }
        return dtype;
    }

    private static long[] longs(String where, String field, JsonNode node) {
        if (node == null || !node.isArray()) {
            throw new ModelLoadException(where + " has no \"" + field + "\" list");
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw new ModelLoadException(where + " has a \"" + field + "\" entry that is not a non-negative integer: " + element);
            }
            values[i] = element.longValue();
        }
        return values;
    }
}
