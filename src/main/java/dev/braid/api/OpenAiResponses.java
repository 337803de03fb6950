package dev.braid.api;

import dev.braid.api.openai.ChatCompletionResponse;
import dev.braid.api.openai.CompletionResponse;
import dev.braid.decoding.TokenLogprobs;
import dev.braid.jobs.Generation;
import dev.braid.jobs.GenerationEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a running {@link Generation} into OpenAI responses: one JSON body, or an SSE stream of
 * chunks ending with {@code data: [DONE]}. A failure mid-stream becomes an {@code error} event with
 * OpenAI's error envelope, never a silent close.
 */
@Component
class OpenAiResponses {

    private final JsonMapper mapper;

    OpenAiResponses(JsonMapper mapper) {
        this.mapper = mapper;
    }

    Mono<CompletionResponse> completion(Generation generation) {
        ResponseAssembler assembler = new ResponseAssembler(generation);
        String id = "cmpl-" + uuid();
        return generation.events().doOnNext(event -> feed(assembler, event)).then(Mono.fromSupplier(() -> {
            List<CompletionResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < generation.command().n(); i++) {
                String text = assembler.result().completions().get(i).text(
                        generation.command().model().model().tokenizer());
                choices.add(new CompletionResponse.Choice(text, i,
                        assembler.completionLogprobs(assembler.takeLogprobs(i), 0), assembler.finishReason(i)));
            }
            return new CompletionResponse(id, "text_completion", epochSeconds(generation), modelName(generation),
                    choices, assembler.usage(), assembler.braid());
        }));
    }

    Mono<ChatCompletionResponse> chat(Generation generation) {
        ResponseAssembler assembler = new ResponseAssembler(generation);
        String id = "chatcmpl-" + uuid();
        return generation.events().doOnNext(event -> feed(assembler, event)).then(Mono.fromSupplier(() -> {
            List<ChatCompletionResponse.Choice> choices = new ArrayList<>();
            for (int i = 0; i < generation.command().n(); i++) {
                String text = assembler.result().completions().get(i).text(
                        generation.command().model().model().tokenizer());
                choices.add(new ChatCompletionResponse.Choice(i,
                        new ChatCompletionResponse.Message("assistant", text, null), null,
                        assembler.chatLogprobs(assembler.takeLogprobs(i)), assembler.finishReason(i)));
            }
            return new ChatCompletionResponse(id, "chat.completion", epochSeconds(generation), modelName(generation),
                    choices, assembler.usage(), assembler.braid());
        }));
    }

    Flux<ServerSentEvent<String>> completionStream(Generation generation, boolean includeUsage) {
        ResponseAssembler assembler = new ResponseAssembler(generation);
        String id = "cmpl-" + uuid();
        long created = epochSeconds(generation);
        String model = modelName(generation);
        int[] offsets = new int[generation.command().n()];
        Flux<Object> chunks = generation.events().concatMap(event -> {
            if (event instanceof GenerationEvent.Tokens tokens) {
                String text = assembler.onTokens(tokens);
                List<TokenLogprobs> lp = assembler.takeLogprobs(tokens.sequence());
                if (text.isEmpty() && lp.isEmpty()) {
                    return Flux.empty();
                }
                CompletionResponse.Choice choice = new CompletionResponse.Choice(text, tokens.sequence(),
                        assembler.completionLogprobs(lp, offsets[tokens.sequence()]), null);
                offsets[tokens.sequence()] += text.length();
                return Flux.just(new CompletionResponse(id, "text_completion", created, model, List.of(choice),
                        null, null));
            }
            GenerationEvent.Finished finished = (GenerationEvent.Finished) event;
            assembler.onFinished(finished.result());
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < generation.command().n(); i++) {
                out.add(new CompletionResponse(id, "text_completion", created, model, List.of(
                        new CompletionResponse.Choice(assembler.finish(i), i,
                                assembler.completionLogprobs(assembler.takeLogprobs(i), offsets[i]),
                                assembler.finishReason(i))), null, assembler.braid()));
            }
            if (includeUsage) {
                out.add(new CompletionResponse(id, "text_completion", created, model, List.of(), assembler.usage(),
                        null));
            }
            return Flux.fromIterable(out);
        });
        return sse(chunks);
    }

    Flux<ServerSentEvent<String>> chatStream(Generation generation, boolean includeUsage) {
        ResponseAssembler assembler = new ResponseAssembler(generation);
        String id = "chatcmpl-" + uuid();
        long created = epochSeconds(generation);
        String model = modelName(generation);
        List<Object> openings = new ArrayList<>();
        for (int i = 0; i < generation.command().n(); i++) {
            openings.add(new ChatCompletionResponse(id, "chat.completion.chunk", created, model, List.of(
                    new ChatCompletionResponse.Choice(i, null, new ChatCompletionResponse.Message("assistant", "", null),
                            null, null)), null, null));
        }
        Flux<Object> chunks = generation.events().concatMap(event -> {
            if (event instanceof GenerationEvent.Tokens tokens) {
                String text = assembler.onTokens(tokens);
                List<TokenLogprobs> lp = assembler.takeLogprobs(tokens.sequence());
                if (text.isEmpty() && lp.isEmpty()) {
                    return Flux.empty();
                }
                return Flux.just(new ChatCompletionResponse(id, "chat.completion.chunk", created, model, List.of(
                        new ChatCompletionResponse.Choice(tokens.sequence(), null,
                                new ChatCompletionResponse.Message(null, text, null), assembler.chatLogprobs(lp),
                                null)), null, null));
            }
            GenerationEvent.Finished finished = (GenerationEvent.Finished) event;
            assembler.onFinished(finished.result());
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < generation.command().n(); i++) {
                String rest = assembler.finish(i);
                List<TokenLogprobs> lp = assembler.takeLogprobs(i);
                if (!rest.isEmpty() || !lp.isEmpty()) {
                    out.add(new ChatCompletionResponse(id, "chat.completion.chunk", created, model, List.of(
                            new ChatCompletionResponse.Choice(i, null, new ChatCompletionResponse.Message(null, rest,
                                    null), assembler.chatLogprobs(lp), null)), null, null));
                }
                out.add(new ChatCompletionResponse(id, "chat.completion.chunk", created, model, List.of(
                        new ChatCompletionResponse.Choice(i, null, new ChatCompletionResponse.Message(null, null, null),
                                null, assembler.finishReason(i))), null, assembler.braid()));
            }
            if (includeUsage) {
                out.add(new ChatCompletionResponse(id, "chat.completion.chunk", created, model, List.of(),
                        assembler.usage(), null));
            }
            return Flux.fromIterable(out);
        });
        return sse(Flux.concat(Flux.fromIterable(openings), chunks));
    }

    private void feed(ResponseAssembler assembler, GenerationEvent event) {
        if (event instanceof GenerationEvent.Tokens tokens) {
            assembler.recordLogprobs(tokens);
        } else if (event instanceof GenerationEvent.Finished finished) {
            assembler.onFinished(finished.result());
        }
    }

    private Flux<ServerSentEvent<String>> sse(Flux<Object> chunks) {
        return chunks.map(chunk -> ServerSentEvent.builder(mapper.writeValueAsString(chunk)).build())
                .concatWith(Mono.just(ServerSentEvent.builder("[DONE]").build()))
                .onErrorResume(error -> Mono.just(ServerSentEvent.<String>builder()
                        .event("error")
                        .data(mapper.writeValueAsString(ErrorResponses.envelope(ErrorMapping.toServiceException(error))))
                        .build()));
    }

    private static String modelName(Generation generation) {
        return generation.command().model().name();
    }

    private static long epochSeconds(Generation generation) {
        return generation.created().getEpochSecond();
    }

    private static String uuid() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
