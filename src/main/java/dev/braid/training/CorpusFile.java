package dev.braid.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A corpus brought by the user instead of the generated one: JSON lines of
 * {@code {"user": "...", "assistant": "..."}}. Every twentieth example is held out, as in the
 * generated corpus. Problems name the file and the line.
 */
public final class CorpusFile {

    private CorpusFile() {
    }

    public static CorpusGenerator.Corpus read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("corpus " + file + " does not exist or is not a file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus " + file + ": " + e.getMessage(), e);
        }
        List<CorpusGenerator.Example> train = new ArrayList<>();
        List<CorpusGenerator.Example> heldOut = new ArrayList<>();
        int examples = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            CorpusGenerator.Example example = parse(file, i + 1, lines.get(i));
            (examples++ % 20 == 7 ? heldOut : train).add(example);
        }
        if (examples < 20) {
            throw new IllegalArgumentException("corpus " + file + " holds " + examples + " examples; at least 20 are needed");
        }
        return new CorpusGenerator.Corpus(train, heldOut);
    }

    private static CorpusGenerator.Example parse(Path file, int line, String text) {
        JsonNode node;
        try {
            node = JsonMapper.shared().readTree(text);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("corpus " + file + " line " + line + " is not JSON: " + e.getOriginalMessage());
        }
        String user = field(file, line, node, "user");
        String assistant = field(file, line, node, "assistant");
        return new CorpusGenerator.Example(CorpusGenerator.Category.PROSE, user, assistant);
    }

    private static String field(Path file, int line, JsonNode node, String name) {
        JsonNode value = node.get(name);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new IllegalArgumentException("corpus " + file + " line " + line + ": field \"" + name
                    + "\" must be a non-empty string");
        }
        return value.asString();
    }
}
