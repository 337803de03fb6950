package dev.braid.model;

import java.util.List;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Hugging Face {@code tokenizer.json} with one token per byte and no merges: every UTF-8 string
 * round-trips exactly, which is all a randomly initialised model needs. Bytes are spelled with
 * GPT-2's byte-to-unicode table, which is what the ByteLevel pre-tokenizer and decoder expect.
 */
public final class ByteLevelTokenizerJson {

    static final List<String> SPECIAL_TOKENS = List.of("<|endoftext|>", "<s>", "</s>");
    static final int VOCAB_SIZE = SPECIAL_TOKENS.size() + 256;

    private ByteLevelTokenizerJson() {
    }

    static ObjectNode build() {
        return build(SPECIAL_TOKENS, List.of(), List.of());
    }

    /**
     * A byte-level BPE tokenizer: ids are the special tokens, then the 256 byte symbols, then the
     * merged tokens in merge order. {@code merges} are "left right" pairs, highest priority first.
     */
    public static ObjectNode build(List<String> specialTokens, List<String> mergedTokens, List<String> merges) {
        JsonMapper mapper = JsonMapper.shared();
        ObjectNode root = mapper.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int id = 0; id < specialTokens.size(); id++) {
            added.addObject()
                    .put("id", id)
                    .put("content", specialTokens.get(id))
                    .put("single_word", false)
                    .put("lstrip", false)
                    .put("rstrip", false)
                    .put("normalized", false)
                    .put("special", true);
        }
        root.putNull("normalizer");
        root.putObject("pre_tokenizer")
                .put("type", "ByteLevel")
                .put("add_prefix_space", false)
                .put("trim_offsets", true)
                .put("use_regex", true);
        root.putNull("post_processor");
        root.putObject("decoder")
                .put("type", "ByteLevel")
                .put("add_prefix_space", true)
                .put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int id = 0; id < specialTokens.size(); id++) {
            vocab.put(specialTokens.get(id), id);
        }
        String[] symbols = byteSymbols();
        for (int b = 0; b < 256; b++) {
            vocab.put(symbols[b], specialTokens.size() + b);
        }
        for (int i = 0; i < mergedTokens.size(); i++) {
            vocab.put(mergedTokens.get(i), specialTokens.size() + 256 + i);
        }
        ArrayNode mergeList = model.putArray("merges");
        merges.forEach(mergeList::add);
        return root;
    }

    /**
     * GPT-2's reversible byte-to-character table: printable Latin-1 bytes stand for themselves and
     * the rest (controls, space, soft hyphen) are shifted to code points from U+0100 upwards, so
     * that no token contains whitespace or control characters.
     */
    public static String[] byteSymbols() {
        String[] symbols = new String[256];
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            int codePoint = printable ? b : 256 + shifted++;
            symbols[b] = new String(Character.toChars(codePoint));
        }
        return symbols;
    }
}
