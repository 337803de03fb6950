package dev.braid.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** One case of a fixture's {@code reference.json}, computed by Hugging Face transformers. */
public record ReferenceCase(String prompt, int[] promptIds, float[] lastLogits, int[] argmaxPerPosition,
                            int[] greedyNewIds, double minGreedyMargin) {

    public static final Path FIXTURES = Path.of("src/test/resources/hf-tiny");

    public static List<ReferenceCase> load(String fixture) {
        try {
            JsonNode root = JsonMapper.shared().readTree(Files.readString(FIXTURES.resolve(fixture).resolve("reference.json")));
            List<ReferenceCase> cases = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                cases.add(new ReferenceCase(c.get("prompt").asString(), ints(c.get("prompt_ids")),
                        floats(c.get("last_logits")), ints(c.get("argmax_per_position")),
                        ints(c.get("greedy_new_ids")), c.get("min_greedy_margin").asDouble()));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }
}
