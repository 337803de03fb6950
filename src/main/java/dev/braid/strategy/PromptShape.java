package dev.braid.strategy;

import dev.braid.decoding.StandIn;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the selector knows of a request before decoding it.
 *
 * @param category     the key acceptance history is kept under: the length, {@code short} (under 64
 *                     tokens), {@code medium} (under 512) or {@code long}, then {@code /list} for a
 *                     prompt that asks for a list or {@code /multi-part} for one that asks several
 *                     questions at once, since strategies guess, branch and plan so differently there
 * @param enumerative  the prompt asks for a list of items, the shape APAR writes in parallel
 * @param multiPart    the prompt asks several questions at once, the shape SGD plans as a graph
 * @param temperature  the request's, or the model's default where the request left it out; 0 is greedy
 */
public record PromptShape(int promptTokens, String category, boolean enumerative, boolean multiPart,
                          double temperature, int n, boolean logprobs) {

    private static final Pattern LIST_ASK = Pattern.compile(
            "\\b(list|steps|ways|reasons|tips|examples|ideas|outline|enumerate|bullet points?)\\b");

    /** Two or more question words joined in one request: "what is X, why ..., and how ...?" */
    private static final Pattern QUESTION_WORD = Pattern.compile("\\b(what|why|how|when|which|where|who)\\b");

    public static PromptShape of(String promptText, int promptTokens, double temperature, int n, boolean logprobs) {
        String text = promptText == null ? "" : promptText.toLowerCase(Locale.ROOT);
        boolean enumerative = LIST_ASK.matcher(text).find();
        boolean multiPart = QUESTION_WORD.matcher(text).results().count() >= 2
                && (text.contains(",") || text.contains(" and ") || text.chars().filter(c -> c == '?').count() >= 2);
        return new PromptShape(promptTokens, category(promptTokens, enumerative, multiPart), enumerative, multiPart,
                temperature, n, logprobs);
    }

    /** What the strategies' stand-in rules read of the prompt. */
    public StandIn.Prompt standInPrompt() {
        return new StandIn.Prompt(enumerative, multiPart);
    }

    public boolean greedy() {
        return temperature == 0;
    }

    private static String category(int promptTokens, boolean enumerative, boolean multiPart) {
        String length = promptTokens < 64 ? "short" : promptTokens < 512 ? "medium" : "long";
        return length + (enumerative ? "/list" : multiPart ? "/multi-part" : "");
    }
}
