package dev.braid.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.decoding.sgd.SgdPrompts;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/** {@code braid.strategy.sgd}: SGD's prompts from configuration, bound without the service. */
class SgdPropertiesTest {

    private static SgdProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("braid.strategy.sgd",
                SgdProperties.class);
    }

    @Test
    void leftOutKeysKeepSgdsOwnDefaults() {
        assertThat(SgdProperties.defaults().prompts()).isEqualTo(SgdPrompts.DEFAULT);
        assertThat(bind(Map.of()).prompts()).isEqualTo(SgdPrompts.DEFAULT);
    }

    @Test
    void applicationYmlLeavesTheDefaultsToSgd() throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yml",
                new ClassPathResource("application.yml"))) {
            environment.getPropertySources().addLast(source);
        }
        assertThat(environment.getProperty("braid.strategy.high-load")).as("application.yml was read").isNotNull();
        SgdProperties bound = Binder.get(environment).bindOrCreate("braid.strategy.sgd", SgdProperties.class);
        assertThat(bound.prompts()).isEqualTo(SgdPrompts.DEFAULT);
    }

    @Test
    void anotherModelsChatFormatReplacesOnlyWhatIsSet() {
        SgdPrompts prompts = bind(Map.of(
                "braid.strategy.sgd.chat", "[INST] {message} [/INST]",
                "braid.strategy.sgd.max-node-tokens", "64",
                "braid.strategy.sgd.node-ends-at-newline", "false")).prompts();
        assertThat(prompts.chat()).isEqualTo("[INST] {message} [/INST]");
        assertThat(prompts.maxNodeTokens()).isEqualTo(64);
        assertThat(prompts.nodeEndsAtNewline()).isFalse();
        assertThat(prompts.skeletonRequest()).isEqualTo(SgdPrompts.DEFAULT.skeletonRequest());
        assertThat(prompts.maxPoints()).isEqualTo(SgdPrompts.DEFAULT.maxPoints());
        assertThat(prompts.fixedSkeleton()).isNull();
    }

    @Test
    void aTemplateWithoutItsPlaceholderOrWithAnUnknownOneIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("braid.strategy.sgd.chat", "<s>[INST] [/INST]")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessage("braid.strategy.sgd.chat needs the placeholder {message}");
        assertThatThrownBy(() -> bind(Map.of("braid.strategy.sgd.skeleton-request", "Plan: {questoin}")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessage("braid.strategy.sgd.skeleton-request has an unknown placeholder {questoin}; "
                        + "it may use {question}");
        assertThatThrownBy(() -> bind(Map.of("braid.strategy.sgd.separator", "{index}")))
                .isInstanceOf(BindException.class).rootCause()
                .hasMessage("braid.strategy.sgd.separator has an unknown placeholder {index}; it takes none");
        assertThatThrownBy(() -> bind(Map.of("braid.strategy.sgd.max-points", "0")))
                .isInstanceOf(BindException.class).rootCause().hasMessageContaining("must be positive");
    }

    @Test
    void anInvalidTemplateStopsTheStartWithItsReason() {
        new ApplicationContextRunner().withUserConfiguration(Config.class)
                .withPropertyValues("braid.strategy.sgd.node-request=Answer {question} along {plan}")
                .run(context -> assertThat(context).hasFailed().getFailure()
                        .rootCause().hasMessageContaining("braid.strategy.sgd.node-request has an unknown placeholder "
                                + "{plan}; it may use {question}, {skeleton}"));
        new ApplicationContextRunner().withUserConfiguration(Config.class)
                .run(context -> assertThat(context.getBean(SgdProperties.class).prompts())
                        .isEqualTo(SgdPrompts.DEFAULT));
    }

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(SgdProperties.class)
    static class Config {
    }
}
