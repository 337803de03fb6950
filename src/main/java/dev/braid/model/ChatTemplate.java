package dev.braid.model;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template (Jinja, as Hugging Face writes it in {@code tokenizer_config.json}) and
 * the special tokens it refers to. Models without a template get {@link #DEFAULT_TEMPLATE}: one
 * {@code role: content} line per message and a trailing {@code assistant:} cue.
 */
public final class ChatTemplate {

    /** Used for base models whose tokenizer config has no template; README documents it. */
    public static final String DEFAULT_TEMPLATE = "{% if bos_token %}{{ bos_token }}{% endif %}"
            + "{% for message in messages %}{{ message['role'] }}: {{ message['content'] }}\n{% endfor %}"
            + "{% if add_generation_prompt %}assistant:{% endif %}";

    private static final Jinjava JINJAVA = jinjava();

    private final String source;
    private final boolean isDefault;
    private final String bosToken;
    private final String eosToken;

    private ChatTemplate(String source, boolean isDefault, String bosToken, String eosToken) {
        this.source = source;
        this.isDefault = isDefault;
        this.bosToken = bosToken;
        this.eosToken = eosToken;
    }

    public static ChatTemplate of(TokenizerConfig config) {
        boolean missing = config.chatTemplate() == null || config.chatTemplate().isBlank();
        return new ChatTemplate(missing ? DEFAULT_TEMPLATE : config.chatTemplate(), missing, config.bosToken(),
                config.eosToken());
    }

    public boolean isDefault() {
        return isDefault;
    }

    public String source() {
        return source;
    }

    /** One chat message as templates see it: {@code message['role']}, {@code message['content']}. */
    public record Message(String role, String content) {
    }

    /**
     * The prompt text for {@code messages}, ending with the cue for the assistant's turn.
     *
     * @throws IllegalArgumentException when the template refuses the conversation (e.g. its
     *         {@code raise_exception} on roles out of order) or cannot be rendered
     */
    public String render(List<Message> messages) {
        List<Map<String, Object>> list = messages.stream()
                .<Map<String, Object>>map(m -> Map.of("role", m.role(), "content", m.content()))
                .toList();
        Map<String, Object> context = new HashMap<>();
        context.put("messages", list);
        context.put("add_generation_prompt", true);
        context.put("bos_token", bosToken == null ? "" : bosToken);
        context.put("eos_token", eosToken == null ? "" : eosToken);
        RenderResult result;
        try {
            result = JINJAVA.renderForResult(source, context);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("the model's chat template failed: " + rootMessage(e), e);
        }
        for (TemplateError error : result.getErrors()) {
            if (error.getSeverity() == TemplateError.ErrorType.FATAL) {
                throw new IllegalArgumentException("the model's chat template failed: " + error.getMessage());
            }
        }
        return result.getOutput();
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.toString() : cause.getMessage();
    }

    /** Called by templates to refuse a conversation; the message reaches the client. */
    public static String raiseException(String message) {
        throw new TemplateRefusal(message);
    }

    private static final class TemplateRefusal extends RuntimeException {
        TemplateRefusal(String message) {
            super(message);
        }
    }

    private static Jinjava jinjava() {
        // Hugging Face renders chat templates with trim_blocks and lstrip_blocks on.
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .build());
        jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception",
                ChatTemplate.class, "raiseException", String.class));
        return jinjava;
    }
}
