package dev.braid.api;

import dev.braid.api.openai.ChatCompletionRequest;
import dev.braid.api.openai.CompletionRequest;
import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.decoding.SamplingDefaults;
import dev.braid.decoding.SamplingParams;
import dev.braid.decoding.StopCriteria;
import dev.braid.decoding.StrategyParams;
import dev.braid.jobs.GenerationCommand;
import dev.braid.model.ChatTemplate;
import dev.braid.model.GenerationConfig;
import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ServedModel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Validates OpenAI-style requests and turns them into {@link GenerationCommand}s. Every refusal names
 * the request field to blame. Limits: {@code n} ≤ {@link #MAX_N}, up to {@link #MAX_STOP} stop strings,
 * and prompt tokens + {@code max_tokens} ≤ the model's context.
 */
@Component
public class OpenAiRequests {

    public static final int MAX_N = 16;
    public static final int MAX_STOP = 4;
    public static final int MAX_COMPLETION_LOGPROBS = 5;
    public static final int MAX_TOP_LOGPROBS = 20;
    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final ModelRegistry registry;
    private final StrategyParamsReader strategyParams;

    OpenAiRequests(ModelRegistry registry, StrategyParamsReader strategyParams) {
        this.registry = registry;
        this.strategyParams = strategyParams;
    }

    /** The loaded model named {@code name}: 404 when unknown here, 409 when registered but not loaded. */
    public ServedModel model(String name) {
        if (name == null || name.isBlank()) {
            throw ServiceException.invalid("model", "model is required");
        }
        // no database read here: this runs on the event loop, so only this replica's view counts
        return registry.served(name).orElseThrow(() -> registry.localState(name)
                .<ServiceException>map(state -> new ServiceException(ErrorKind.MODEL_NOT_LOADED, "model",
                        "The model '" + name + "' is " + state.id() + " on this server; load it with "
                                + "POST /api/admin/models/" + name + "/load"))
                .orElseGet(() -> new ServiceException(ErrorKind.MODEL_NOT_FOUND, "model", "The model '" + name
                        + "' does not exist")));
    }

    public GenerationCommand completion(CompletionRequest r, String endpoint) {
        ServedModel model = model(r.model());
        unsupported(r.echo() != null && r.echo(), "echo", "echo is not supported");
        unsupported(r.bestOf() != null && r.bestOf() > 1, "best_of", "best_of is not supported; use n");
        unsupported(r.suffix() != null && !r.suffix().isEmpty(), "suffix", "suffix (insertion) is not supported");
        penalties(r.presencePenalty(), r.frequencyPenalty());
        int[] promptIds;
        String promptText;
        JsonNode prompt = r.prompt();
        if (prompt != null && prompt.isArray() && prompt.size() == 1
                && (prompt.get(0).isString() || prompt.get(0).isArray())) {
            prompt = prompt.get(0);
        }
        if (prompt == null || prompt.isNull()) {
            throw ServiceException.invalid("prompt", "prompt is required");
        } else if (prompt.isString()) {
            promptText = prompt.stringValue();
            promptIds = model.model().tokenizer().encode(promptText);
        } else if (prompt.isArray() && !prompt.isEmpty() && allInts(prompt)) {
            promptIds = new int[prompt.size()];
            int vocab = model.model().config().vocabSize();
            for (int i = 0; i < promptIds.length; i++) {
                promptIds[i] = prompt.get(i).intValue();
                if (promptIds[i] < 0 || promptIds[i] >= vocab) {
                    throw ServiceException.invalid("prompt[" + i + "]", "token id " + promptIds[i]
                            + " is outside the model's vocabulary of " + vocab);
                }
            }
            promptText = model.model().tokenizer().decode(promptIds);
        } else if (prompt.isArray() && prompt.size() > 1) {
            throw ServiceException.invalid("prompt", "batched prompts are not supported: send one prompt "
                    + "(a string or a list of token ids) per request");
        } else {
            throw ServiceException.invalid("prompt", "prompt must be a string or a non-empty list of token ids");
        }
        if (promptIds.length == 0) {
            throw ServiceException.invalid("prompt", "prompt must not be empty");
        }
        int logprobs = -1;
        if (r.logprobs() != null) {
            logprobs = range("logprobs", r.logprobs(), 0, MAX_COMPLETION_LOGPROBS);
        }
        return command(endpoint, model, promptIds, promptText, "prompt", r.maxTokens(), r.temperature(), r.topP(),
                r.topK(), r.seed(), r.stop(), r.n(), r.strategy(), r.strategyParams(), logprobs, "max_tokens");
    }

    public GenerationCommand chat(ChatCompletionRequest r, String endpoint) {
        ServedModel model = model(r.model());
        penalties(r.presencePenalty(), r.frequencyPenalty());
        unsupported(r.tools() != null && !r.tools().isNull() && !r.tools().isEmpty(), "tools",
                "tools (function calling) are not supported");
        if (r.responseFormat() != null && r.responseFormat().isObject()
                && !"text".equals(r.responseFormat().path("type").asString("text"))) {
            throw ServiceException.invalid("response_format", "only response_format {\"type\": \"text\"} is supported");
        }
        if (r.messages() == null || r.messages().isEmpty()) {
            throw ServiceException.invalid("messages", "messages must hold at least one message");
        }
        List<ChatTemplate.Message> messages = new ArrayList<>();
        for (int i = 0; i < r.messages().size(); i++) {
            ChatCompletionRequest.ChatMessage m = r.messages().get(i);
            if (m == null || m.role() == null || !ROLES.contains(m.role())) {
                throw ServiceException.invalid("messages[" + i + "].role", "role must be one of " + ROLES);
            }
            messages.add(new ChatTemplate.Message(m.role(), content(m.content(), "messages[" + i + "].content")));
        }
        String promptText;
        try {
            promptText = model.chatTemplate().render(messages);
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("messages", e.getMessage());
        }
        int[] promptIds = model.model().tokenizer().encode(promptText, false);
        if (promptIds.length == 0) {
            throw ServiceException.invalid("messages", "the rendered conversation is empty");
        }
        int logprobs = -1;
        if (r.logprobs() != null && r.logprobs()) {
            logprobs = r.topLogprobs() == null ? 0 : range("top_logprobs", r.topLogprobs(), 0, MAX_TOP_LOGPROBS);
        } else if (r.topLogprobs() != null) {
            throw ServiceException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
        }
        if (r.maxTokens() != null && r.maxCompletionTokens() != null) {
            throw ServiceException.invalid("max_completion_tokens", "give max_tokens or max_completion_tokens, not both");
        }
        Integer maxTokens = r.maxCompletionTokens() != null ? r.maxCompletionTokens() : r.maxTokens();
        String maxField = r.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
        return command(endpoint, model, promptIds, promptText, "messages", maxTokens, r.temperature(), r.topP(),
                r.topK(), r.seed(), r.stop(), r.n(), r.strategy(), r.strategyParams(), logprobs, maxField);
    }

    private GenerationCommand command(String endpoint, ServedModel model, int[] promptIds, String promptText,
                                      String promptField, Integer maxTokens, Double temperature, Double topP,
                                      Integer topK, Long seed, JsonNode stop, Integer n, String strategy,
                                      JsonNode params, int logprobs, String maxField) {
        int context = model.contextLength();
        if (promptIds.length >= context) {
            throw new ServiceException(ErrorKind.CONTEXT_LENGTH_EXCEEDED, promptField, "the prompt is "
                    + promptIds.length + " tokens; model '" + model.name() + "' has a context of " + context
                    + " tokens, which must also hold at least one generated token");
        }
        int room = context - promptIds.length;
        int max;
        if (maxTokens == null) {
            max = room;
        } else if (maxTokens < 1) {
            throw ServiceException.invalid(maxField, maxField + " must be at least 1, got " + maxTokens);
        } else if (maxTokens > room) {
            throw new ServiceException(ErrorKind.CONTEXT_LENGTH_EXCEEDED, maxField, "prompt (" + promptIds.length
                    + " tokens) + " + maxField + " (" + maxTokens + ") exceeds model '" + model.name()
                    + "''s context of " + context + " tokens; at most " + room + " new tokens fit");
        } else {
            max = maxTokens;
        }
        if (temperature != null && !(temperature >= 0 && temperature <= GenerationConfig.MAX_TEMPERATURE)) {
            throw ServiceException.invalid("temperature", "temperature must be between 0 and "
                    + (int) GenerationConfig.MAX_TEMPERATURE + ", got " + temperature);
        }
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw ServiceException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        }
        if (topK != null && topK < -1) {
            throw ServiceException.invalid("top_k", "top_k must be 0 or -1 (off) or positive, got " + topK);
        }
        int count = n == null ? 1 : range("n", n, 1, MAX_N);
        List<String> stops = stops(stop);
        Set<Integer> eos = new HashSet<>(model.model().generation().eosTokenIds());
        StrategyParams strategyParams = strategyParams(params);
        // what the request leaves out comes from the model's generation_config.json, then OpenAI's defaults
        SamplingParams sampling = SamplingDefaults.OPENAI.under(model.model().generation())
                .apply(temperature, topK, topP, seed);
        return new GenerationCommand(endpoint, model, promptIds, promptText, sampling,
                new StopCriteria(eos, stops, max), count, strategy == null ? "auto" : strategy, strategyParams,
                logprobs);
    }

    private StrategyParams strategyParams(JsonNode params) {
        return strategyParams.read(params);
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return List.of();
        }
        List<String> stops = new ArrayList<>();
        if (stop.isString()) {
            stops.add(stop.stringValue());
        } else if (stop.isArray()) {
            if (stop.size() > MAX_STOP) {
                throw ServiceException.invalid("stop", "at most " + MAX_STOP + " stop sequences, got " + stop.size());
            }
            for (int i = 0; i < stop.size(); i++) {
                if (!stop.get(i).isString()) {
                    throw ServiceException.invalid("stop[" + i + "]", "stop sequences must be strings");
                }
                stops.add(stop.get(i).stringValue());
            }
        } else {
            throw ServiceException.invalid("stop", "stop must be a string or a list of up to " + MAX_STOP + " strings");
        }
        for (int i = 0; i < stops.size(); i++) {
            if (stops.get(i).isEmpty()) {
                throw ServiceException.invalid("stop", "stop sequences must not be empty");
            }
        }
        return stops;
    }

    private static String content(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            throw ServiceException.invalid(field, "content is required");
        }
        if (content.isString()) {
            return content.stringValue();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < content.size(); i++) {
                JsonNode part = content.get(i);
                if (!"text".equals(part.path("type").asString("")) || !part.path("text").isString()) {
                    throw ServiceException.invalid(field + "[" + i + "]", "only text content parts are supported");
                }
                text.append(part.path("text").stringValue());
            }
            return text.toString();
        }
        throw ServiceException.invalid(field, "content must be a string or a list of text parts");
    }

    private static boolean allInts(JsonNode array) {
        for (JsonNode item : array) {
            if (!item.isIntegralNumber() || !item.canConvertToInt()) {
                return false;
            }
        }
        return true;
    }

    private static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw ServiceException.invalid(field, field + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    private static void penalties(Double presence, Double frequency) {
        unsupported(presence != null && presence != 0, "presence_penalty", "presence_penalty is not supported");
        unsupported(frequency != null && frequency != 0, "frequency_penalty", "frequency_penalty is not supported");
    }

    private static void unsupported(boolean present, String field, String message) {
        if (present) {
            throw ServiceException.invalid(field, message);
        }
    }
}
