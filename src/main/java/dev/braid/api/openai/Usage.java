package dev.braid.api.openai;

/** Exact token counts: the prompt as tokenized (template included) and every generated token. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {

    public static Usage of(int prompt, int completion) {
        return new Usage(prompt, completion, prompt + completion);
    }
}
