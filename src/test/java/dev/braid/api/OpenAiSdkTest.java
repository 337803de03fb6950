package dev.braid.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import dev.braid.support.ServiceTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The official OpenAI Java SDK as a client: plain and streaming chat, completions, errors. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OpenAiSdkTest extends ServiceTest {

    @LocalServerPort
    int port;
    OpenAIClient openai;

    @BeforeEach
    void connect() {
        openai = OpenAIOkHttpClient.builder().baseUrl("http://127.0.0.1:" + port + "/v1").apiKey("unused")
                .timeout(Duration.ofSeconds(60)).maxRetries(0).build();
    }

    @AfterEach
    void close() {
        openai.close();
    }

    private ChatCompletionCreateParams chat() {
        return ChatCompletionCreateParams.builder().model(MODEL).addSystemMessage("You are terse.")
                .addUserMessage("Name a colour.").maxCompletionTokens(24).temperature(0.7).seed(5L).build();
    }

    @Test
    void plainChat() {
        ChatCompletion completion = openai.chat().completions().create(chat());
        assertThat(completion.choices()).hasSize(1);
        assertThat(completion.choices().get(0).message().content()).isPresent();
        assertThat(completion.choices().get(0).finishReason().asString()).isIn("stop", "length");
        assertThat(completion.usage()).isPresent();
        assertThat(completion.usage().get().completionTokens()).isPositive();
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion._additionalProperties()).containsKey("braid");
    }

    @Test
    void streamingChatReassemblesToThePlainAnswer() {
        String plain = openai.chat().completions().create(chat()).choices().get(0).message().content().orElseThrow();
        StringBuilder streamed = new StringBuilder();
        long[] usage = {-1};
        ChatCompletionCreateParams params = chat().toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = openai.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(u -> usage[0] = u.completionTokens());
            });
        }
        assertThat(streamed.toString()).isEqualTo(plain);
        assertThat(usage[0]).isPositive();
    }

    @Test
    void completions() {
        Completion completion = openai.completions().create(CompletionCreateParams.builder().model(MODEL)
                .prompt("Once upon a time").maxTokens(8L).temperature(0.0).build());
        assertThat(completion.choices().get(0).text()).isNotNull();
        assertThat(completion.usage().orElseThrow().promptTokens()).isPositive();
    }

    @Test
    void errorsMapToTheSdkExceptions() {
        assertThatThrownBy(() -> openai.chat().completions().create(chat().toBuilder().model("missing").build()))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> openai.chat().completions().create(chat().toBuilder().temperature(5.0).build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("temperature");
    }
}
