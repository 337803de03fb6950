package dev.braid.api;

import dev.braid.api.openai.ChatCompletionRequest;
import dev.braid.api.openai.CompletionRequest;
import dev.braid.api.openai.ModelList;
import dev.braid.api.openai.StreamOptions;
import dev.braid.common.ErrorKind;
import dev.braid.common.ServiceException;
import dev.braid.jobs.Generation;
import dev.braid.jobs.GenerationService;
import dev.braid.registry.ModelRegistry;
import dev.braid.registry.ServedModel;
import java.util.Comparator;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The OpenAI-compatible API. Handlers only route: validation and tokenization are quick, the
 * task is queued on a worker, and the response follows the worker's events.
 */
@RestController
@RequestMapping(path = "/v1", produces = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_EVENT_STREAM_VALUE})
class OpenAiController {

    static final String MODEL = OpenAiController.class.getName() + ".model";

    private final OpenAiRequests requests;
    private final OpenAiResponses responses;
    private final GenerationService generations;
    private final ModelRegistry registry;

    OpenAiController(OpenAiRequests requests, OpenAiResponses responses, GenerationService generations,
                     ModelRegistry registry) {
        this.requests = requests;
        this.responses = responses;
        this.generations = generations;
        this.registry = registry;
    }

    @PostMapping(path = "/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> completions(@RequestBody CompletionRequest request, ServerWebExchange exchange) {
        exchange.getAttributes().put(MODEL, request.model() == null ? "" : request.model());
        Generation generation = generations.start(requests.completion(request, "completions"));
        exchange.getAttributes().put(ApiExceptionHandler.STARTED, true);
        if (Boolean.TRUE.equals(request.stream())) {
            return Mono.just(ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                    .body(responses.completionStream(generation, includeUsage(request.streamOptions()))));
        }
        return responses.completion(generation).map(body -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON).body(body));
    }

    @PostMapping(path = "/chat/completions", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<?>> chat(@RequestBody ChatCompletionRequest request, ServerWebExchange exchange) {
        exchange.getAttributes().put(MODEL, request.model() == null ? "" : request.model());
        Generation generation = generations.start(requests.chat(request, "chat"));
        exchange.getAttributes().put(ApiExceptionHandler.STARTED, true);
        if (Boolean.TRUE.equals(request.stream())) {
            return Mono.just(ResponseEntity.ok().contentType(MediaType.TEXT_EVENT_STREAM)
                    .body(responses.chatStream(generation, includeUsage(request.streamOptions()))));
        }
        return responses.chat(generation).map(body -> ResponseEntity.ok()
                .contentType(MediaType.APPLICATION_JSON).body(body));
    }

    @GetMapping("/models")
    ModelList models() {
        return new ModelList("list", registry.servedModels().stream()
                .sorted(Comparator.comparing(ServedModel::name))
                .map(OpenAiController::card).toList());
    }

    @GetMapping("/models/{name}")
    ModelList.ModelCard model(@PathVariable String name) {
        return registry.served(name).map(OpenAiController::card).orElseThrow(() ->
                new ServiceException(ErrorKind.MODEL_NOT_FOUND, "model", "The model '" + name + "' does not exist"));
    }

    private static ModelList.ModelCard card(ServedModel model) {
        return new ModelList.ModelCard(model.name(), "model", model.loadedAt().getEpochSecond(), "braid");
    }

    private static boolean includeUsage(StreamOptions options) {
        return options != null && Boolean.TRUE.equals(options.includeUsage());
    }
}
