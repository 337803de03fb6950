package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.braid.registry.ModelRegistry;
import dev.braid.support.ServiceTest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "PT60S")
class OpenAiApiTest extends ServiceTest {

    @Autowired
    WebTestClient client;
    @Autowired
    ModelRegistry registry;
    @Autowired
    JsonMapper mapper;

    private JsonNode post(String path, Map<String, Object> body) {
        byte[] raw = client.post().uri(path).contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isOk().expectBody().returnResult().getResponseBody();
        return mapper.readTree(raw);
    }

    private List<ServerSentEvent<String>> stream(String path, Map<String, Object> body) {
        return client.post().uri(path).contentType(MediaType.APPLICATION_JSON).accept(MediaType.TEXT_EVENT_STREAM)
                .bodyValue(body).exchange().expectStatus().isOk()
                .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {
                }).getResponseBody().collectList().block(Duration.ofSeconds(60));
    }

    private int promptTokens(String text) {
        return registry.served(MODEL).orElseThrow().model().tokenizer().encode(text).length;
    }

    @Test
    void completionReportsTextUsageAndStrategy() {
        String prompt = "The quick brown fox";
        JsonNode response = post("/v1/completions", Map.of("model", MODEL, "prompt", prompt, "max_tokens", 12,
                "temperature", 0, "strategy", "ar"));
        assertThat(response.path("object").asString()).isEqualTo("text_completion");
        assertThat(response.path("model").asString()).isEqualTo(MODEL);
        JsonNode choice = response.path("choices").get(0);
        int completion = response.path("usage").path("completion_tokens").asInt();
        assertThat(response.path("usage").path("prompt_tokens").asInt()).isEqualTo(promptTokens(prompt));
        assertThat(response.path("usage").path("total_tokens").asInt())
                .isEqualTo(promptTokens(prompt) + completion);
        assertThat(completion).isBetween(1, 12);
        if (completion < 12) {
            assertThat(choice.path("finish_reason").asString()).isEqualTo("stop");
        } else {
            assertThat(choice.path("finish_reason").asString()).isIn("length", "stop");
        }
        assertThat(response.path("braid").path("strategy").asString()).isEqualTo("ar");
        assertThat(response.path("braid").path("reason").asString()).isNotBlank();
        assertThat(response.path("braid").path("steps").asInt()).isEqualTo(completion);
        assertThat(response.path("braid").path("tokens_per_step").asDouble()).isEqualTo(1.0);
    }

    @Test
    void autoPicksAStrategyTheEngineHasAndSaysWhy() {
        JsonNode response = post("/v1/completions", Map.of("model", MODEL, "prompt", "Hello", "max_tokens", 8,
                "temperature", 0));
        assertThat(dev.braid.decoding.DecodingStrategies.names()).contains(response.path("braid").path("strategy")
                .asString());
        assertThat(response.path("braid").path("reason").asString()).isNotBlank();
        JsonNode sampled = post("/v1/completions", Map.of("model", MODEL, "prompt", "Hello", "max_tokens", 8,
                "logprobs", 2));
        assertThat(sampled.path("braid").path("strategy").asString()).isEqualTo("ar");
        assertThat(sampled.path("braid").path("reason").asString()).contains("logprobs");
    }

    @Test
    void withoutTemperatureAModelWithoutADefaultSamplesAndAutoSaysSamplingRuledOutTheGreedyStrategies() {
        // the fixture's generation_config.json has no temperature: OpenAI's default 1.0 applies
        JsonNode response = post("/v1/completions", Map.of("model", MODEL, "prompt", "Hello", "max_tokens", 4));
        assertThat(response.path("braid").path("strategy").asString()).isEqualTo("ar");
        assertThat(response.path("braid").path("reason").asString()).startsWith(
                "no parallel strategy fits: sampling (temperature 1.0) rules out lookahead and jacobi (greedy only)");
    }

    @Test
    void greedyCompletionIsDeterministicAndTokenIdPromptsWork() {
        Map<String, Object> body = Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 16,
                "temperature", 0);
        String first = post("/v1/completions", body).path("choices").get(0).path("text").asString();
        assertThat(post("/v1/completions", body).path("choices").get(0).path("text").asString()).isEqualTo(first);
        int[] ids = registry.served(MODEL).orElseThrow().model().tokenizer().encode("Once upon a time");
        JsonNode byIds = post("/v1/completions", Map.of("model", MODEL, "prompt", ids, "max_tokens", 16,
                "temperature", 0));
        assertThat(byIds.path("choices").get(0).path("text").asString()).isEqualTo(first);
    }

    @Test
    void chatUsesTheDefaultTemplateForModelsWithoutOne() {
        JsonNode response = post("/v1/chat/completions", Map.of("model", MODEL, "messages",
                List.of(Map.of("role", "system", "content", "Be brief."), Map.of("role", "user", "content", "Hi")),
                "max_tokens", 8, "seed", 3));
        assertThat(response.path("object").asString()).isEqualTo("chat.completion");
        JsonNode message = response.path("choices").get(0).path("message");
        assertThat(message.path("role").asString()).isEqualTo("assistant");
        assertThat(message.path("content").isString()).isTrue();
        int expected = registry.served(MODEL).orElseThrow().model().tokenizer()
                .encode("<s>system: Be brief.\nuser: Hi\nassistant:", false).length;
        assertThat(response.path("usage").path("prompt_tokens").asInt()).isEqualTo(expected);
    }

    @Test
    void streamedChatReassemblesToTheSameTextAsTheResponseForTheSameSeed() {
        Map<String, Object> body = Map.of("model", MODEL, "messages", List.of(Map.of("role", "user",
                "content", "Tell me a story")), "max_tokens", 40, "temperature", 0.9, "seed", 42);
        JsonNode whole = post("/v1/chat/completions", body);
        Map<String, Object> streamed = new java.util.HashMap<>(body);
        streamed.put("stream", true);
        streamed.put("stream_options", Map.of("include_usage", true));
        List<ServerSentEvent<String>> events = stream("/v1/chat/completions", streamed);
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        JsonNode usage = null;
        for (ServerSentEvent<String> event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = mapper.readTree(event.data());
            assertThat(chunk.path("object").asString()).isEqualTo("chat.completion.chunk");
            if (chunk.path("choices").isEmpty()) {
                usage = chunk.path("usage");
                continue;
            }
            JsonNode choice = chunk.path("choices").get(0);
            text.append(choice.path("delta").path("content").asString(""));
            if (!choice.path("finish_reason").isNull()) {
                finish = choice.path("finish_reason").asString();
            }
        }
        JsonNode wholeChoice = whole.path("choices").get(0);
        assertThat(text.toString()).isEqualTo(wholeChoice.path("message").path("content").asString());
        assertThat(finish).isEqualTo(wholeChoice.path("finish_reason").asString());
        assertThat(usage).isNotNull();
        assertThat(usage.path("completion_tokens").asInt()).isEqualTo(whole.path("usage").path("completion_tokens").asInt());
        assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(whole.path("usage").path("prompt_tokens").asInt());
    }

    @Test
    void streamedCompletionWithStopStringMatchesTheResponse() {
        String text = post("/v1/completions", Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 30,
                "temperature", 0)).path("choices").get(0).path("text").asString();
        assertThat(text.length()).isGreaterThan(4);
        String stop = text.substring(text.length() / 2, text.length() / 2 + 2);
        Map<String, Object> body = Map.of("model", MODEL, "prompt", "Once upon a time", "max_tokens", 30,
                "temperature", 0, "stop", List.of(stop));
        JsonNode whole = post("/v1/completions", body);
        String cut = whole.path("choices").get(0).path("text").asString();
        assertThat(cut).isEqualTo(text.substring(0, text.indexOf(stop)));
        assertThat(whole.path("choices").get(0).path("finish_reason").asString()).isEqualTo("stop");
        Map<String, Object> streamed = new java.util.HashMap<>(body);
        streamed.put("stream", true);
        StringBuilder joined = new StringBuilder();
        List<ServerSentEvent<String>> events = stream("/v1/completions", streamed);
        assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
        for (ServerSentEvent<String> event : events.subList(0, events.size() - 1)) {
            joined.append(mapper.readTree(event.data()).path("choices").get(0).path("text").asString());
        }
        assertThat(joined.toString()).isEqualTo(cut);
    }

    @Test
    void nSequencesAndLogprobs() {
        JsonNode response = post("/v1/chat/completions", Map.of("model", MODEL, "messages",
                List.of(Map.of("role", "user", "content", "Count")), "max_tokens", 5, "n", 3, "temperature", 1.0,
                "seed", 11, "logprobs", true, "top_logprobs", 3, "strategy", "ar"));
        assertThat(response.path("choices")).hasSize(3);
        int total = 0;
        for (JsonNode choice : response.path("choices")) {
            JsonNode content = choice.path("logprobs").path("content");
            assertThat(content.size()).isBetween(1, 5);
            total += content.size();
            for (JsonNode entry : content) {
                assertThat(entry.path("logprob").asDouble()).isLessThanOrEqualTo(0.0);
                assertThat(entry.path("top_logprobs")).hasSize(3);
                double best = entry.path("top_logprobs").get(0).path("logprob").asDouble();
                assertThat(best).isGreaterThanOrEqualTo(entry.path("logprob").asDouble());
            }
        }
        assertThat(response.path("usage").path("completion_tokens").asInt()).isEqualTo(total);
    }

    @Test
    void modelsListsTheLoadedModel() {
        JsonNode models = mapper.readTree(client.get().uri("/v1/models").exchange().expectStatus().isOk()
                .expectBody().returnResult().getResponseBody());
        assertThat(models.path("object").asString()).isEqualTo("list");
        assertThat(models.path("data").get(0).path("id").asString()).isEqualTo(MODEL);
        assertThat(models.path("data").get(0).path("object").asString()).isEqualTo("model");
    }
}
