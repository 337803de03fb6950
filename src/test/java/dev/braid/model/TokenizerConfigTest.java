package dev.braid.model;

import static dev.braid.model.LoaderFixtures.fixture;
import static dev.braid.model.LoaderFixtures.writeString;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerConfigTest {

    @TempDir
    Path temp;

    @Test
    void readsFixture() {
        assertThat(TokenizerConfig.load(fixture("gpt2-tiny")))
                .isEqualTo(new TokenizerConfig(null, "<s>", "<|endoftext|>", 256));
    }

    @Test
    void readsAddedTokenObjectsTemplateAndUnlimitedLength() {
        writeString(temp.resolve("tokenizer_config.json"),
                "{\"bos_token\":{\"content\":\"<|begin_of_text|>\",\"lstrip\":false},\"eos_token\":\"<|eot_id|>\","
                        + "\"chat_template\":\"{{ messages[0]['content'] }}\",\"model_max_length\":1000000000000000019884624838656}");

        TokenizerConfig config = TokenizerConfig.load(temp);

        assertThat(config).isEqualTo(new TokenizerConfig("{{ messages[0]['content'] }}", "<|begin_of_text|>", "<|eot_id|>", null));
    }

    @Test
    void picksTheDefaultOfNamedTemplates() {
        writeString(temp.resolve("tokenizer_config.json"),
                "{\"chat_template\":[{\"name\":\"tool_use\",\"template\":\"T\"},{\"name\":\"default\",\"template\":\"D\"}]}");

        assertThat(TokenizerConfig.load(temp).chatTemplate()).isEqualTo("D");
    }

    @Test
    void fallsBackToChatTemplateJinja() {
        writeString(temp.resolve("chat_template.jinja"), "{% for m in messages %}{{ m.content }}{% endfor %}");

        assertThat(TokenizerConfig.load(temp))
                .isEqualTo(new TokenizerConfig("{% for m in messages %}{{ m.content }}{% endfor %}", null, null, null));
    }

    @Test
    void refusesMalformedTokenNamingFileAndField() {
        Path file = temp.resolve("tokenizer_config.json");
        writeString(file, "{\"eos_token\": 5}");

        assertThatThrownBy(() -> TokenizerConfig.load(temp))
                .isInstanceOf(ModelLoadException.class)
                .hasMessage(file + ": field \"eos_token\" must be a string or an object with a \"content\" string");
    }
}
