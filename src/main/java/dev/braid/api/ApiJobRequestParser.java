package dev.braid.api;

import dev.braid.api.openai.ChatCompletionRequest;
import dev.braid.api.openai.CompletionRequest;
import dev.braid.common.ServiceException;
import dev.braid.jobs.GenerationCommand;
import dev.braid.jobs.JobRequestParser;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job request is the body of a completions call ({@code prompt}) or a chat call ({@code messages}),
 * validated exactly as {@code /v1} validates it; {@code stream} is refused (follow the job's events).
 */
@Component
class ApiJobRequestParser implements JobRequestParser {

    private final JsonMapper mapper;
    private final OpenAiRequests requests;

    ApiJobRequestParser(JsonMapper mapper, OpenAiRequests requests) {
        this.mapper = mapper;
        this.requests = requests;
    }

    @Override
    public String model(String requestJson) {
        JsonNode model = tree(requestJson).get("model");
        if (model == null || !model.isString() || model.stringValue().isBlank()) {
            throw ServiceException.invalid("model", "model is required");
        }
        return model.stringValue();
    }

    @Override
    public GenerationCommand parse(String requestJson) {
        JsonNode tree = tree(requestJson);
        if (tree.path("stream").asBoolean(false)) {
            throw ServiceException.invalid("stream", "jobs do not stream; follow GET /api/jobs/{id}/events");
        }
        try {
            if (tree.has("messages")) {
                return requests.chat(mapper.treeToValue(tree, ChatCompletionRequest.class), "job");
            }
            return requests.completion(mapper.treeToValue(tree, CompletionRequest.class), "job");
        } catch (JacksonException e) {
            throw ErrorMapping.invalidJson(e);
        }
    }

    private JsonNode tree(String json) {
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (JacksonException e) {
            throw ServiceException.invalid(null, "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        if (tree == null || !tree.isObject()) {
            throw ServiceException.invalid(null, "the job request must be a JSON object");
        }
        return tree;
    }
}
