package dev.braid.strategy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the selector knows of a request before decoding it.
 *
 * @param category     {@code short} (under 64 tokens), {@code medium} (under 512) or {@code long}:
 *                     the key learned statistics are kept under
 * @param enumerative  the prompt asks for a list of items, the shape APAR writes in parallel
 */
public record PromptShape(int promptTokens, String category, boolean enumerative, boolean greedy, int n,
                          boolean logprobs) {

    private static final Pattern LIST_ASK = Pattern.compile(
            "\\b(list|steps|ways|reasons|tips|examples|ideas|outline|enumerate|bullet points?)\\b");

    public static PromptShape of(String promptText, int promptTokens, boolean greedy, int n, boolean logprobs) {
        boolean enumerative = promptText != null && LIST_ASK.matcher(promptText.toLowerCase(Locale.ROOT)).find();
        return new PromptShape(promptTokens, category(promptTokens), enumerative, greedy, n, logprobs);
    }

    public static String category(int promptTokens) {
        return promptTokens < 64 ? "short" : promptTokens < 512 ? "medium" : "long";
    }
}
