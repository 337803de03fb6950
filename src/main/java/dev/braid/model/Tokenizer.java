package dev.braid.model;

/**
 * Text to a model's token ids and back: what decoding asks of a tokenizer (stop strings, APAR's
 * control tokens, SGD's prompts). {@link TextTokenizer} is the model's own.
 */
public interface Tokenizer {

    /** Ids of {@code text}, with the special tokens the tokenizer adds around a whole input (e.g. BOS). */
    default int[] encode(String text) {
        return encode(text, true);
    }

    /**
     * Ids of {@code text}; without special tokens for text that already spells them out, such as a
     * rendered chat template that starts with the BOS token, or a fragment inside a prompt.
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Text of {@code tokenIds}, special tokens left out. */
    String decode(int[] tokenIds);
}
