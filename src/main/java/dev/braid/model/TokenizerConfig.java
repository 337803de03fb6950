package dev.braid.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import tools.jackson.databind.JsonNode;

/**
 * The parts of {@code tokenizer_config.json} the server needs beyond {@code tokenizer.json}: the
 * chat template and the names of the special tokens.
 *
 * @param chatTemplate   Jinja source, or {@code null} for base models without one
 * @param modelMaxLength {@code null} when unset or when HF's "unlimited" sentinel (1e30) is used
 */
public record TokenizerConfig(String chatTemplate, String bosToken, String eosToken, Integer modelMaxLength) {

    public static final String FILE_NAME = "tokenizer_config.json";
    /** Recent transformers versions save the template next to the config instead of inside it. */
    static final String TEMPLATE_FILE_NAME = "chat_template.jinja";

    public static TokenizerConfig load(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new ModelLoadException(folder + ": model folder does not exist");
        }
        Path file = folder.resolve(FILE_NAME);
        String separateTemplate = readTemplateFile(folder.resolve(TEMPLATE_FILE_NAME));
        if (!Files.isRegularFile(file)) {
            return new TokenizerConfig(separateTemplate, null, null, null);
        }
        JsonFields config = JsonFields.read(file);
        String template = chatTemplate(config);
        return new TokenizerConfig(
                template != null ? template : separateTemplate,
                tokenName(config, "bos_token"),
                tokenName(config, "eos_token"),
                maxLength(config));
    }

    /** A template is either a string or a list of named templates, of which "default" is used. */
    private static String chatTemplate(JsonFields config) {
        if (!config.has("chat_template")) {
            return null;
        }
        JsonNode value = config.node().get("chat_template");
        if (value.isString()) {
            return value.stringValue();
        }
        if (value.isArray() && !value.isEmpty()) {
            JsonNode chosen = value.get(0);
            for (JsonNode entry : value) {
                if ("default".equals(entry.path("name").asString(null))) {
                    chosen = entry;
                }
            }
            JsonNode template = chosen.get("template");
            if (template != null && template.isString()) {
                return template.stringValue();
            }
        }
        throw config.error("chat_template", "must be a string or a list of {\"name\", \"template\"} objects");
    }

    /** Special tokens are written either as plain strings or as AddedToken objects. */
    private static String tokenName(JsonFields config, String name) {
        if (!config.has(name)) {
            return null;
        }
        JsonNode value = config.node().get(name);
        if (value.isString()) {
            return value.stringValue();
        }
        JsonNode content = value.get("content");
        if (value.isObject() && content != null && content.isString()) {
            return content.stringValue();
        }
        throw config.error(name, "must be a string or an object with a \"content\" string");
    }

    private static Integer maxLength(JsonFields config) {
        if (!config.has("model_max_length")) {
            return null;
        }
        JsonNode value = config.node().get("model_max_length");
        if (!value.isNumber()) {
            throw config.error("model_max_length", "must be a number (got " + value + ")");
        }
        double length = value.doubleValue();
        if (length <= 0) {
            throw config.error("model_max_length", "must be positive (got " + value + ")");
        }
        return length > Integer.MAX_VALUE ? null : (int) length;
    }

    private static String readTemplateFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelLoadException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }
}
