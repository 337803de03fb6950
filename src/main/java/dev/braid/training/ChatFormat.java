package dev.braid.training;

import java.util.List;

/**
 * The chat format of Braid's own models, and the special tokens every one of them reserves. The
 * Jinja template written to {@code tokenizer_config.json} renders exactly {@link #prompt} and
 * {@link #conversation}, so the service's generic template path and the trainer agree.
 */
public final class ChatFormat {

    public static final String END_OF_TEXT = "<|endoftext|>";
    public static final String SYSTEM = "<|system|>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";
    public static final String FORK = "[Fork]";
    public static final String CHILD = "[Child]";

    /** Ids 0..6 in this order. */
    public static final List<String> SPECIAL_TOKENS = List.of(END_OF_TEXT, SYSTEM, USER, ASSISTANT, END, FORK, CHILD);

    public static final int END_OF_TEXT_ID = 0;
    public static final int END_ID = 4;

    public static final String JINJA_TEMPLATE =
            "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}<|end|>\n{% endfor %}"
                    + "{% if add_generation_prompt %}<|assistant|>\n{% endif %}";

    private ChatFormat() {
    }

    /** What the model sees before it starts answering. */
    public static String prompt(String user) {
        return USER + "\n" + user + END + "\n" + ASSISTANT + "\n";
    }

    /** A whole training example: the prompt, the answer and the end token the model must learn. */
    public static String conversation(String user, String assistant) {
        return prompt(user) + assistant + END;
    }
}
