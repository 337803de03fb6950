package dev.braid.model;

import static dev.braid.model.LoaderFixtures.fixture;
import static dev.braid.model.LoaderFixtures.writeString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationConfigTest {

    @TempDir
    Path temp;

    @Test
    void readsFixtureIds() {
        GenerationConfig config = GenerationConfig.load(fixture("llama-tiny"));

        assertThat(config).isEqualTo(new GenerationConfig(1, java.util.List.of(0), null, null, null, null));
        assertThat(config.isEos(0)).isTrue();
        assertThat(config.isEos(1)).isFalse();
    }

    @Test
    void acceptsEosListAndSamplingDefaults() {
        writeString(temp.resolve("generation_config.json"),
                "{\"bos_token_id\":128000,\"eos_token_id\":[128001,128008,128009],\"temperature\":0.6,"
                        + "\"top_p\":0.9,\"top_k\":50,\"do_sample\":true}");

        GenerationConfig config = GenerationConfig.load(temp);

        assertThat(config.bosTokenId()).isEqualTo(128000);
        assertThat(config.eosTokenIds()).containsExactly(128001, 128008, 128009);
        assertThat(config.temperature()).isEqualTo(0.6);
        assertThat(config.topP()).isEqualTo(0.9);
        assertThat(config.topK()).isEqualTo(50);
        assertThat(config.doSample()).isTrue();
    }

    @Test
    void fallsBackToConfigJsonFieldByField() {
        writeString(temp.resolve("config.json"), "{\"bos_token_id\":5,\"eos_token_id\":6}");
        GenerationConfig withoutFile = GenerationConfig.load(temp);
        assertThat(withoutFile.bosTokenId()).isEqualTo(5);
        assertThat(withoutFile.eosTokenIds()).containsExactly(6);

        writeString(temp.resolve("generation_config.json"), "{\"eos_token_id\":[7,8],\"bos_token_id\":null}");
        GenerationConfig partial = GenerationConfig.load(temp);
        assertThat(partial.bosTokenId()).as("null in generation_config falls back").isEqualTo(5);
        assertThat(partial.eosTokenIds()).containsExactly(7, 8);
    }

    @Test
    void emptyFolderHasNoSpecialTokens() {
        GenerationConfig config = GenerationConfig.load(temp);

        assertThat(config.bosTokenId()).isNull();
        assertThat(config.eosTokenIds()).isEmpty();
    }

    @Test
    void refusesASamplingDefaultNoRequestCouldAskForNamingFileAndField() {
        Path file = temp.resolve("generation_config.json");
        writeString(file, "{\"temperature\":-0.5}");
        assertThatThrownBy(() -> GenerationConfig.load(temp)).isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": field \"temperature\" must be between 0 and 2 (got -0.5)");
        writeString(file, "{\"top_p\":0}");
        assertThatThrownBy(() -> GenerationConfig.load(temp)).isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": field \"top_p\" must be in (0, 1] (got 0.0)");
        writeString(file, "{\"top_k\":-1,\"temperature\":0}");
        assertThat(GenerationConfig.load(temp).topK()).as("-1 is Hugging Face's 'off'").isEqualTo(-1);
    }

    @Test
    void refusesMalformedEosNamingFileAndField() {
        Path file = temp.resolve("generation_config.json");
        writeString(file, "{\"eos_token_id\":[1,\"two\"]}");

        assertThatThrownBy(() -> GenerationConfig.load(temp))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": field \"eos_token_id\" must be an integer or a list of integers (element 1 is \"two\")");
    }
}
